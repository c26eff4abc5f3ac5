"""Reads workshop.toml (the steps, their TODOs with label and hint, the checkpoint artifacts) and variants.toml (the
wrong variants of each TODO, which only `make check-workshop` reads).

Every function takes the repository root (default: this checkout), so the tooling's tests can work on a small copy.
"""
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from workshop.paths import ROOT

MANIFEST = "workshop.toml"
VARIANTS = "variants.toml"
TODO_ID = re.compile(r"\d\d\.\d+")


@dataclass(frozen=True)
class Variant:
    """A wrong solution a participant plausibly writes: `code` replaces the region; a test of the TODO must fail."""
    mistake: str
    code: str


@dataclass(frozen=True)
class Todo:
    """A TODO of a step: its id, what to write, and its hints from the gentlest (a nudge: what to think about) to
    the most telling (the code-level hint), as workshop.toml's `hints` lists them."""
    id: str
    label: str
    hints: tuple

    @property
    def hint(self):
        """The first level: what the step README shows and `make test-step N` says."""
        return self.hints[0] if self.hints else ""


@dataclass(frozen=True)
class Step:
    number: int
    folder: str
    title: str
    checkpoint: tuple
    todos: tuple = field(default=())
    root: Path = ROOT

    @property
    def starter(self):
        return self.root / "steps" / self.folder

    @property
    def solution(self):
        return self.root / "solutions" / self.folder

    @property
    def tests(self):
        return self.root / "tests" / f"step{self.number:02d}"

    def todo(self, todo_id):
        """The TODO of this step with id `todo_id`, or None."""
        return next((todo for todo in self.todos if todo.id == todo_id), None)


@dataclass(frozen=True)
class Artifact:
    name: str
    path: str
    made_from: tuple
    needs: tuple
    command: tuple


def _read(root, name=MANIFEST):
    path = Path(root) / name
    try:
        with open(path, "rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise SystemExit(f"{path} is not valid TOML ({error}): fix that line.") from None


def _todo(raw):
    levels = raw.get("hints", [raw["hint"]] if "hint" in raw else [])
    levels = [levels] if isinstance(levels, str) else levels
    return Todo(str(raw.get("id", "")), str(raw.get("label", "")), tuple(str(level) for level in levels))


def steps(root=ROOT):
    return [
        Step(
            number=raw["number"],
            folder=raw["folder"],
            title=raw["title"],
            checkpoint=tuple(raw.get("checkpoint", [])),
            todos=tuple(_todo(todo) for todo in raw.get("todos", [])),
            root=Path(root),
        )
        for raw in _read(root)["steps"]
    ]


def step(number, root=ROOT):
    """The step numbered `number` (an int or the text a participant typed), or a clear error."""
    known = steps(root)
    for candidate in known:
        if str(candidate.number) == str(number).lstrip("0") or candidate.folder == str(number):
            return candidate
    numbers = ", ".join(str(s.number) for s in known)
    raise SystemExit(f"There is no step {number!r}: the steps are {numbers} (e.g. `make test-step 1`).")


def todos(root=ROOT):
    """Every TODO of every step, by id."""
    return {todo.id: todo for s in steps(root) for todo in s.todos}


def variants(root=ROOT):
    """{TODO id: (Variant, ...)} in the order variants.toml lists them; a TODO without variants is missing."""
    if not (Path(root) / VARIANTS).is_file():
        return {}
    found = {}
    for raw in _read(root, VARIANTS).get("variants", []):
        found.setdefault(str(raw.get("todo", "")), []).append(
            Variant(str(raw.get("mistake", "")), str(raw.get("code", ""))))
    return {todo_id: tuple(listed) for todo_id, listed in found.items()}


def artifacts(root=ROOT):
    return {
        name: Artifact(name, raw["path"], tuple(raw["made_from"]), tuple(raw["needs"]), tuple(raw["command"]))
        for name, raw in _read(root).get("artifacts", {}).items()
    }


def problems(root=ROOT):
    """What is wrong with the manifest itself, one sentence each (an empty list when all is well)."""
    found = []
    known = steps(root)
    made = artifacts(root)
    seen = set()
    for number, s in enumerate(known, start=1):
        if s.number != number:
            found.append(f"Step {s.number} ({s.folder}) is listed where step {number} belongs: number them 1, 2, ...")
        for name in s.checkpoint:
            if name not in made:
                found.append(f"Step {s.number} starts from artifact '{name}', which no [artifacts.{name}] defines.")
        for todo in s.todos:
            where = f"TODO {todo.id} of step {s.number}"
            if not TODO_ID.fullmatch(todo.id) or int(todo.id.split(".")[0]) != s.number:
                found.append(f"{where}: its id must read '{s.number:02d}.k' (step number, dot, count).")
            if todo.id in seen:
                found.append(f"{where} is listed twice: give each TODO its own id.")
            seen.add(todo.id)
            if not todo.label.strip():
                found.append(f"{where} has an empty label: write one line for it.")
            if not todo.hints or not all(level.strip() for level in todo.hints):
                found.append(f"{where} has an empty hint: write each level of `hints` (a nudge, then a pointer to "
                             "the API, then the code-level hint).")
    for artifact in made.values():
        for need in artifact.needs:
            if need not in made:
                found.append(f"Artifact '{artifact.name}' needs '{need}', which no [artifacts.{need}] defines.")
        for folder in artifact.made_from:
            if not (Path(root) / folder).is_dir():
                found.append(f"Artifact '{artifact.name}' is made from {folder}, which does not exist.")
    return found


def variant_problems(root=ROOT):
    """What is wrong with variants.toml itself, one sentence each: a TODO no step has, an empty field."""
    found, known = [], todos(root)
    for todo_id, listed in variants(root).items():
        if todo_id not in known:
            found.append(f"{VARIANTS} lists wrong variants of TODO {todo_id!r}, which workshop.toml does not have: "
                         "give each [[variants]] the id of its TODO (todo = \"01.1\").")
        for count, variant in enumerate(listed, start=1):
            for part, what in (("mistake", "say in one line what is wrong"), ("code", "write the wrong region")):
                if not getattr(variant, part).strip():
                    found.append(f"{VARIANTS}: TODO {todo_id}, wrong variant {count}, has an empty {part}: {what}.")
    return found

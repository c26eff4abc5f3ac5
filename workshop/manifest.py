"""Reads workshop.toml: the steps, their TODOs and hints, and the checkpoint artifacts."""
import sys
from dataclasses import dataclass, field

from workshop import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

MANIFEST = ROOT / "workshop.toml"


@dataclass(frozen=True)
class Todo:
    id: str
    label: str
    hint: str


@dataclass(frozen=True)
class Step:
    number: int
    folder: str
    title: str
    checkpoint: tuple
    todos: tuple = field(default=())

    @property
    def starter(self):
        return ROOT / "steps" / self.folder

    @property
    def solution(self):
        return ROOT / "solutions" / self.folder

    @property
    def tests(self):
        return ROOT / "tests" / f"step{self.number:02d}"


@dataclass(frozen=True)
class Artifact:
    name: str
    path: str
    made_from: tuple
    needs: tuple
    command: tuple


def _read():
    with open(MANIFEST, "rb") as file:
        return tomllib.load(file)


def steps():
    return [
        Step(
            number=raw["number"],
            folder=raw["folder"],
            title=raw["title"],
            checkpoint=tuple(raw["checkpoint"]),
            todos=tuple(Todo(**todo) for todo in raw.get("todos", [])),
        )
        for raw in _read()["steps"]
    ]


def step(number):
    """The step numbered `number` (an int or the text a participant typed), or a clear error."""
    known = steps()
    for candidate in known:
        if str(candidate.number) == str(number).lstrip("0") or candidate.folder == str(number):
            return candidate
    numbers = ", ".join(str(s.number) for s in known)
    raise SystemExit(f"There is no step {number!r}: the steps are {numbers} (e.g. `make test-step 1`).")


def todos():
    """Every TODO of every step, by id."""
    return {todo.id: todo for s in steps() for todo in s.todos}


def artifacts():
    return {
        name: Artifact(name, raw["path"], tuple(raw["made_from"]), tuple(raw["needs"]), tuple(raw["command"]))
        for name, raw in _read()["artifacts"].items()
    }

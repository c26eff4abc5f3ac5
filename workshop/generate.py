"""solutions/ -> steps/: each `# BEGIN SOLUTION <id>` ... `# END SOLUTION` region becomes a TODO stub.

In the starter, a region becomes `raise NotImplementedError("TODO <id>: <label>")` at the marker's indentation, the
commented lines between `# BEGIN PROMPT` and `# END PROMPT` are uncommented, and the marker lines disappear. Files
other than Python are copied as they are. Bad markers stop everything with file:line before anything is written.
"""
import ast
import re
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from workshop import files, manifest, readme
from workshop.paths import ROOT

# The one reading of the markers (slides/excerpts.py uses it too): `# BEGIN SOLUTION 01.1`, `# END SOLUTION`,
# `# BEGIN PROMPT`, `# END PROMPT`, at any indentation, with or without a space after the `#`.
MARKER = re.compile(r"^(?P<indent>[ \t]*)#\s*(?P<edge>BEGIN|END)\s+(?P<kind>SOLUTION|PROMPT)\b(?P<rest>.*?)\s*$")
COMMENT = re.compile(r"^(?P<indent>[ \t]*)# ?(?P<code>.*)$")


class MarkerError(Exception):
    """Bad markers or a manifest that does not match the regions: one `file:line: what to do` per problem."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Region:
    id: str
    where: str
    code: str  # the solution's lines between the markers, dedented to column 0
    lines: range  # their line numbers in the file


@dataclass
class Block:
    """A `# BEGIN ...` ... `# END ...` region as written: its kind, TODO (SOLUTION only), lines and where it starts."""

    kind: str
    line: int
    indent: str = ""
    todo: object = None
    lines: list = field(default_factory=list)  # the BEGIN marker, the body, the END marker


def _lines(text):
    return re.split(r"(?<=\n)", text) if text else []


def _ending(line):
    return line[len(line.rstrip("\r\n")) :] or "\n"


def _todo_for(todo_id, step, where, all_todos):
    if not todo_id:
        raise MarkerError([f"{where}: `# BEGIN SOLUTION` needs the TODO id it solves, e.g. `# BEGIN SOLUTION "
                           f"{step.number:02d}.1`."])
    todo = step.todo(todo_id)
    if todo is not None:
        return todo
    if todo_id in all_todos:
        raise MarkerError([f"{where}: TODO {todo_id} belongs to another step, not {step.folder}: use one of "
                           f"{', '.join(t.id for t in step.todos)}."])
    raise MarkerError([f"{where}: TODO {todo_id} is not in workshop.toml: add a [[steps.todos]] table for it after "
                       f"step {step.number}, or fix the id."])


def _indented(code, indent, ending):
    return [(indent + line if line.strip() else "") + ending for line in code.splitlines()]


def blocks(text, step, name, all_todos=None):
    """The file read into plain lines (str) and marked regions (Block), in order; MarkerError names a bad marker."""
    all_todos = all_todos if all_todos is not None else {}
    found, current = [], None
    for number, line in enumerate(_lines(text), start=1):
        where = f"{name}:{number}"
        marker = MARKER.match(line.rstrip("\r\n"))
        if marker and marker["edge"] == "BEGIN":
            if current:
                raise MarkerError([f"{where}: `# BEGIN {marker['kind']}` inside the {current.kind} region opened at "
                                   f"line {current.line}: markers do not nest, close that one first."])
            current = Block(marker["kind"], number, marker["indent"], lines=[line])
            if marker["kind"] == "SOLUTION":
                current.todo = _todo_for(marker["rest"].strip(), step, where, all_todos)
        elif marker:
            if not current or current.kind != marker["kind"]:
                opened = f"the {current.kind} region opened at line {current.line}" if current else "no open region"
                raise MarkerError([f"{where}: `# END {marker['kind']}` closes {opened}: "
                                   f"pair each `# BEGIN {marker['kind']}` with one `# END {marker['kind']}`."])
            current.lines.append(line)
            found.append(current)
            current = None
        elif current:
            if current.kind == "PROMPT" and line.strip() and not COMMENT.match(line.rstrip("\r\n")):
                raise MarkerError([f"{where}: a line inside `# BEGIN PROMPT` ... `# END PROMPT` must be commented in "
                                   "the solution (the starter uncomments it)."])
            current.lines.append(line)
        else:
            found.append(line)
    if current:
        opened = f"# BEGIN {current.kind}" + (f" {current.todo.id}" if current.todo else "")
        raise MarkerError([f"{name}:{current.line}: `{opened}` is never closed: add `# END {current.kind}` after "
                           "its last line."])
    return found


def regions(found, name):
    """The SOLUTION regions of `blocks(...)`: their TODO, where they start, their code dedented."""
    return [Region(block.todo.id, f"{name}:{block.line}", textwrap.dedent("".join(block.lines[1:-1])),
                   range(block.line + 1, block.line + len(block.lines) - 1))
            for block in found if isinstance(block, Block) and block.todo]


def _in_place_of(block, fills):
    """The lines that replace a SOLUTION region: its fill (`fills`: {TODO id: code}) or its TODO stub."""
    ending = _ending(block.lines[0])
    if block.todo.id in fills:
        return _indented(fills[block.todo.id], block.indent, ending)
    label = block.todo.label.replace("\\", "\\\\").replace('"', '\\"')
    return [f'{block.indent}raise NotImplementedError("TODO {block.todo.id}: {label}"){ending}']


def _uncommented(line):
    comment = COMMENT.match(line.rstrip("\r\n"))
    return (comment["indent"] + comment["code"]).rstrip() + _ending(line) if line.strip() else line


def starter(found, fills=None):
    """The attendee's file: every SOLUTION region a stub (or its fill), PROMPT lines uncommented, no markers."""
    out = []
    for block in found:
        if not isinstance(block, Block):
            out.append(block)
        elif block.todo:
            out += _in_place_of(block, fills or {})
        else:
            out += [_uncommented(line) for line in block.lines[1:-1]]
    return "".join(out)


def solution_with(found, stubs=(), fills=None):
    """The solution as written, markers kept, but the regions of `stubs` (TODO ids) stubbed and those of `fills`
    ({TODO id: code}) filled: a copy with one TODO undone, or done another way."""
    fills = fills or {}
    out = []
    for block in found:
        if not isinstance(block, Block):
            out.append(block)
        elif block.todo and (block.todo.id in stubs or block.todo.id in fills):
            out += _in_place_of(block, fills)
        else:
            out += block.lines
    return "".join(out)


def convert(text, step, name, only=None, all_todos=None, fills=None):
    """(starter text, regions) for one Python file of `step`; `name` is how errors call the file.

    With `only` (a set of TODO ids), just those regions are stubbed and everything else stays the solution.
    `fills` ({TODO id: code}) puts that code, indented like the marker, in a region instead of its stub.
    """
    found = blocks(text, step, name, all_todos)
    made = starter(found, fills) if only is None else solution_with(found, only, fills)
    return made, regions(found, name)


def starter_files(step, only=None, fills=None):
    """{relative path: bytes} of the starter of `step`, made from its solution folder (see `convert` for `only` and
    `fills`)."""
    all_todos = manifest.todos(step.root)
    made, problems, regions = {}, [], []
    for relative in files.listing(step.solution):
        source = step.solution / relative
        data = source.read_bytes()
        if source.suffix == ".py":
            name = source.relative_to(step.root).as_posix()
            try:
                text, found = convert(data.decode("utf-8"), step, name, only, all_todos, fills)
            except MarkerError as error:
                problems += error.problems
                continue
            except UnicodeDecodeError:
                problems.append(f"{name}: is not UTF-8 text: save it as UTF-8.")
                continue
            data = text.encode("utf-8")
            regions += found
        made[relative] = data
    problems += _region_problems(step, regions)
    if problems:
        raise MarkerError(problems)
    return made


def _region_problems(step, regions):
    problems = []
    for todo in step.todos:
        places = [region.where for region in regions if region.id == todo.id]
        if not places:
            problems.append(f"solutions/{step.folder}: TODO {todo.id} ({todo.label}) is in workshop.toml but no "
                            f"`# BEGIN SOLUTION {todo.id}` region solves it: add the region or drop the TODO.")
        elif len(places) > 1:
            problems.append(f"{places[1]}: TODO {todo.id} already has a region at {places[0]}: one region per TODO.")
    ids = [todo.id for todo in step.todos]
    for todo_id in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"workshop.toml: TODO {todo_id} is listed twice under step {step.number}: keep one.")
    return problems


def variant_files(step, todo_id, code):
    """{relative path: bytes}: the solution of `step` with only the region of `todo_id` replaced by `code`."""
    return starter_files(step, set(), {todo_id: code})


def _same_code(one, other):
    try:
        return ast.dump(ast.parse(one)) == ast.dump(ast.parse(other))
    except SyntaxError:
        return one.strip() == other.strip()


def variant_problems(step):
    """What is wrong with the wrong variants of `step`'s TODOs once they are put in their regions, one sentence each."""
    all_todos, listed, found = manifest.todos(step.root), manifest.variants(step.root), []
    for relative in files.listing(step.solution):
        if not relative.endswith(".py"):
            continue
        name = f"solutions/{step.folder}/{relative}"
        text = (step.solution / relative).read_text(encoding="utf-8")
        for region in convert(text, step, name, set(), all_todos)[1]:
            todo = step.todo(region.id)
            for number, variant in enumerate(listed.get(todo.id, ()), start=1):
                where = f"{manifest.VARIANTS}: TODO {todo.id}, wrong variant {number} ({variant.mistake.strip()!r})"
                if not variant.code.strip():
                    continue  # manifest.variant_problems says so
                if _same_code(variant.code, region.code):
                    found.append(f"{where}: its code is the solution of {region.where}: write the mistake.")
                    continue
                applied = convert(text, step, name, set(), all_todos, {todo.id: variant.code})[0]
                try:
                    compile(applied, name, "exec")
                except SyntaxError as error:
                    found.append(f"{where}: is not valid Python in place of {region.where} ({error.msg}, line "
                                 f"{error.lineno} of the file): write `code` at column 0, as the region reads.")
    return found


def starter_tree(root=ROOT, only=None, step_numbers=None):
    """{step folder: {relative path: bytes}} for every step (or `step_numbers`); all problems are reported together."""
    tree, problems = {}, []
    for step in manifest.steps(root):
        if step_numbers is not None and step.number not in step_numbers:
            continue
        if not step.solution.is_dir():
            problems.append(f"solutions/{step.folder} does not exist, but workshop.toml lists it as a step.")
            continue
        try:
            tree[step.folder] = starter_files(step, only)
        except MarkerError as error:
            problems += error.problems
    if problems:
        raise MarkerError(problems)
    return tree


def sync(made, folder):
    """Make `folder` hold exactly the files `made` ({relative: bytes}); files the rules skip are left alone."""
    folder = Path(folder)
    for relative in files.listing(folder):
        if relative not in made:
            (folder / relative).unlink()
    for relative, data in made.items():
        target = folder / relative
        if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()
        target.write_bytes(data)
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()


def copy_modes(step, folder):
    """Keep the executable bit of the solution's files in `folder`."""
    for relative in files.listing(step.solution):
        target = Path(folder) / relative
        if target.exists():
            target.chmod((step.solution / relative).stat().st_mode & 0o777)


def generate(root=ROOT, out=None, only=None, step_numbers=None):
    """Write the starters of every step (or of `step_numbers`) into `out` (default: steps/); returns the folders."""
    root = Path(root)
    out = Path(out) if out else root / "steps"
    if step_numbers is None and out == root / "steps":
        readme.update(root)  # first: the step READMEs' TODO blocks are copied into steps/ below
    tree = starter_tree(root, only, step_numbers)
    chosen = [s for s in manifest.steps(root) if s.folder in tree]
    for step in chosen:
        sync(tree[step.folder], out / step.folder)
        copy_modes(step, out / step.folder)
    if step_numbers is None and out == root / "steps" and out.is_dir():
        for stale in sorted(out.iterdir()):
            if stale.name not in tree:
                shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    return [out / step.folder for step in chosen]

"""Which TODOs a starter still has, which TODO a test run stopped at, and the hints shown so far.

Each TODO has levels of hints in workshop.toml (after rustlings): a nudge (what to think about, which test says
what), then where to look (the API and its docs), then the code-level hint. `make hint-step N` shows the next level
each time it runs; what it showed is kept in build/hint-step/<folder>.json, which `make status` reads.
"""
import json
import re

from workshop import files, generate, manifest, todo_marks

STUB = 'raise NotImplementedError("TODO '
MARKED = re.compile(r"^TODO \d\d\.\d+ \(.*", re.M)  # the line workshop/todo_marks.py adds to a failing test's report
MARKED_ID = re.compile(r"(?:^|\) or )TODO (\d\d\.\d+) \(")


def _python_sources(folder):
    for relative in files.listing(folder):
        if relative.endswith(".py"):
            yield (folder / relative).read_text(errors="replace")


def stubs_left(folder):
    """How many TODO stubs are still in `folder`."""
    return sum(text.count(STUB) for text in _python_sources(folder))


def todos_left(step, folder=None):
    """The TODOs of `step` whose stub is still in `folder` (default: its starter), in manifest order."""
    text = "\n".join(_python_sources(folder or step.starter))
    return [todo for todo in step.todos if f'NotImplementedError("TODO {todo.id}:' in text]


def named_todos(step, output):
    """The TODOs a failed test run names: the first stub it raised, else the `todo` markers of its failure (of the
    failure of the earliest TODO, when tests ran in parallel and several failed)."""
    raised = [step.todo(todo_id) for todo_id in todo_marks.RAISED.findall(output) if step.todo(todo_id)]
    if raised:
        return raised[:1]
    failures = [[step.todo(todo_id) for todo_id in MARKED_ID.findall(line) if step.todo(todo_id)]
                for line in MARKED.findall(output)]
    failures = [todos for todos in failures if todos]
    return min(failures, key=lambda todos: todo_marks.rank(todos[0].id)) if failures else []


def failing_todos(step, output, folder=None):
    """The TODOs to work on after a failed run: those it names, else the first stub still in `folder`."""
    return named_todos(step, output) or todos_left(step, folder)[:1]


def describe(step, todo):
    """The TODO and its first hint (the nudge), as `make test-step N` names it."""
    more = f" (more: `make hint-step {step.number}`)" if len(todo.hints) > 1 else ""
    return f"Step {step.number}, TODO {todo.id}: {todo.label}\nHint: {todo.hint}{more}"


LEVELS = ("a nudge", "where to look", "the code")  # what each level of a TODO's hints is


def _shown_path(step):
    return step.root / "build" / "hint-step" / f"{step.folder}.json"


def shown(step):
    """{TODO id: the highest hint level shown} for `step` (empty when none was)."""
    try:
        found = json.loads(_shown_path(step).read_text())
    except (OSError, ValueError):
        return {}
    return {todo_id: level for todo_id, level in found.items() if isinstance(level, int) and step.todo(todo_id)}


def remember(step, todo, level):
    """Keep that hint `level` of `todo` was shown (the highest level shown counts)."""
    found = shown(step)
    found[todo.id] = max(level, found.get(todo.id, 0))
    _shown_path(step).parent.mkdir(parents=True, exist_ok=True)
    _shown_path(step).write_text(json.dumps(found, indent=1, sort_keys=True))


def level(step, todo, number):
    """Hint `number` (from 1) of `todo`, headed by which level it is and followed by how many are left."""
    total = len(todo.hints)
    kind = f" ({LEVELS[number - 1]})" if total == len(LEVELS) else ""
    left = total - number
    after = (f"({left} more level{'s' if left > 1 else ''}: run `make hint-step {step.number}` again.)" if left
             else f"(That was the last level: `make diff-step {step.number} TODO={todo.id}` shows the solution of "
             "this TODO.)")
    return (f"Step {step.number}, TODO {todo.id}: {todo.label}\n"
            f"Hint {number} of {total}{kind}: {todo.hints[number - 1]}\n{after}")


def used(steps):
    """`01.2 (2 of 3)` for each TODO whose hints were shown, in TODO order."""
    return [f"{todo.id} ({shown(step)[todo.id]} of {len(todo.hints)})"
            for step in steps for todo in step.todos if todo.id in shown(step)]


def _regions(step):
    """The solution regions of `step` (generate.Region: id, where, code)."""
    all_todos, found = manifest.todos(step.root), []
    for relative in files.listing(step.solution):
        if relative.endswith(".py"):
            text = (step.solution / relative).read_text(encoding="utf-8")
            found += generate.convert(text, step, relative, set(), all_todos)[1]
    return found


REGION_LINE = 10  # a solution line this long or longer (stripped) must not appear in a TODO's first hint


def giveaways(step):
    """One sentence for each TODO of `step` whose first hint holds a line of its solution region: the nudge must
    leave the code to the participant (blank lines, comments and lines under REGION_LINE characters do not count)."""
    found = []
    for region in _regions(step):
        todo_id, todo = region.id, step.todo(region.id)
        nudge = " ".join(todo.hint.split())
        for line in region.code.splitlines():
            code = " ".join(line.split())
            if len(code) >= REGION_LINE and not code.startswith("#") and code in nudge:
                found.append(f"TODO {todo_id}: its first hint holds a line of the solution ({code!r}): say what to "
                             "think about there, and keep the code for the last level of `hints` in workshop.toml.")
    return found

"""Which TODOs a starter still has, which one a test run stopped at, and `make hint-step N`."""
import re

from workshop import ROOT, files, manifest

STUB = 'raise NotImplementedError("TODO '
RAISED = re.compile(r"NotImplementedError: TODO (\d\d\.\d+)")
NAMED = re.compile(r"TODO (\d\d\.\d+)")


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


def failing_todo(step, output, folder=None):
    """The TODO a failed test run points at: the first stub raised or TODO named in `output`, else the first stub
    still present."""
    for todo_id in RAISED.findall(output) + NAMED.findall(output):
        if step.todo(todo_id):
            return step.todo(todo_id)
    left = todos_left(step, folder)
    return left[0] if left else None


def describe(step, todo):
    return f"Step {step.number}, TODO {todo.id}: {todo.label}\nHint: {todo.hint}"


def main(number, root=ROOT, say=print):
    step = manifest.step(number, root)
    if not step.starter.is_dir():
        raise SystemExit(f"{step.starter.relative_to(root)} is missing: `make reset-step {step.number}` restores it.")
    left = todos_left(step)
    if not left:
        say(f"Step {step.number} has no TODO stubs left: `make test-step {step.number}` tells whether it works.")
        return 0
    say(describe(step, left[0]))
    if len(left) > 1:
        say(f"({len(left) - 1} more after this one: {', '.join(todo.id for todo in left[1:])}.)")
    return 0

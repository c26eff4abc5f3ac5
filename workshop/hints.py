"""Which TODOs a starter still has, and which TODO a test run stopped at."""
import re

from workshop import files, todo_marks

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
    return f"Step {step.number}, TODO {todo.id}: {todo.label}\nHint: {todo.hint}"

"""`make diff-step N`: the solution of one TODO against your starter, as a unified diff: the first TODO still open
in steps/<folder> (or `TODO=02.3`; `TODO=all` for every change the solution makes to the step)."""
import difflib

from workshop import files, hints, manifest
from workshop.generate import starter_files
from workshop.paths import ROOT

ALL = "all"


def _unified(before_files, after_files, step):
    """The unified diff between two {relative: bytes} versions of the step folder, file by file."""
    lines = []
    for relative in sorted(set(before_files) | set(after_files)):
        mine, theirs = before_files.get(relative), after_files.get(relative)
        try:
            before = mine.decode().splitlines(keepends=True) if mine is not None else []
            after = theirs.decode().splitlines(keepends=True) if theirs is not None else []
        except UnicodeDecodeError:
            if mine != theirs:
                lines.append(f"Binary files steps/{step.folder}/{relative} and solutions/{step.folder}/{relative} "
                             "differ\n")
            continue
        lines += difflib.unified_diff(
            before, after, f"steps/{step.folder}/{relative}", f"solutions/{step.folder}/{relative}"
        )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _read(folder):
    return {relative: (folder / relative).read_bytes() for relative in files.listing(folder)} if folder.is_dir() else {}


def diff(step, todo=None):
    """The unified diff from steps/<folder> to solutions/<folder>; with `todo`, only what that TODO's solution
    changes (the solution with that one region stubbed, against the solution)."""
    solution = _read(step.solution)
    if todo is None:
        return _unified(_read(step.starter), solution, step)
    return _unified(starter_files(step, {todo.id}), solution, step)


def main(number, root=ROOT, say=print, todo_id=None):
    step = manifest.step(number, root)
    ids = ", ".join(todo.id for todo in step.todos)
    if todo_id == ALL:
        text = diff(step)
        say(text.rstrip("\n") if text else f"steps/{step.folder} is the same as solutions/{step.folder}.")
        return 0
    if todo_id:
        todo = step.todo(todo_id)
        if todo is None:
            raise SystemExit(f"Step {step.number} has no TODO {todo_id}: use one of {ids} (or TODO=all).")
    else:
        left = hints.todos_left(step)
        if not left:
            say(f"Every TODO of steps/{step.folder} is written. One TODO's solution: `make diff-step {step.number} "
                f"TODO={step.todos[0].id}` (the TODOs: {ids}); every change at once: TODO=all.")
            return 0
        todo = left[0]
    say(f"The solution of TODO {todo.id} ({todo.label}):")
    say(diff(step, todo).rstrip("\n"))
    later = [other.id for other in hints.todos_left(step) if other.id != todo.id]
    say(f"(One TODO at a time. Still open after it: {', '.join(later)}: `make diff-step {step.number} "
        f"TODO={later[0]}`.)" if later else "(One TODO at a time: TODO=all shows every change of the step.)")
    return 0

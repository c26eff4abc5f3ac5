"""`make status`: one line per step, the TODO stubs left in steps/, the TODOs that pass and where
`make test-step N` stops.

A step's answer is the one `make test-step N` keeps (build/test-step/, keyed by everything its test run depends
on): a step tested since it last changed answers at once; the others run their tests as test-step does, up to the
first failure, two steps at a time.
"""
import time
from concurrent.futures import ThreadPoolExecutor

from workshop import hints, manifest, step_tests, todo_marks
from workshop.paths import ROOT


def passing(step, code, todos):
    """The TODOs that pass: every one when the tests pass; else those whose stub is gone and whose tests ran before
    the failure: the TODOs before the one it names (tests run in TODO order, those of the plumbing last)."""
    if code == 0:
        return list(step.todos)
    stubbed = set(hints.todos_left(step))
    before = [todo for todo in step.todos if not todos or todo_marks.rank(todo.id) < todo_marks.rank(todos[0].id)]
    return [todo for todo in before if todo not in stubbed] if code == step_tests.FAILED else []


def where(step, code, todos):
    if code == 0:
        return "passes"
    if code == step_tests.NO_TESTS:
        return f"has no tests yet (tests/step{step.number:02d})"
    if code != step_tests.FAILED:
        return f"cannot run its tests: `make test-step {step.number}` says why"
    if not todos:
        return f"a test of the plumbing fails: `make test-step {step.number}`"
    return f"stops at TODO {todos[0].id} ({todos[0].label})"


def _answers(steps, say, workers):
    """{step number: (exit code, TODOs)}: kept answers at once; the others run, with a line as each starts and ends
    (the first run on a fresh clone also makes the checkpoints the tests start from, a minute on 2 cores)."""
    started = time.monotonic()
    kept = {step.number: step_tests.kept_answer(step, step.starter) for step in steps}
    to_run = [step for step in steps if kept[step.number] is None]
    if to_run:
        say(f"(Running the tests of step{'s' if len(to_run) > 1 else ''} "
            f"{', '.join(str(step.number) for step in to_run)} to see where `make test-step N` stops, {workers} at "
            "a time; the first time, the checkpoints they start from are made too ...)")

    def answer(step):
        began = time.monotonic()
        found = step_tests.answer(step, step.starter, say=lambda line: None)
        say(f"(step {step.number}: answered in {time.monotonic() - began:.0f} s; "
            f"{time.monotonic() - started:.0f} s so far)")
        return found

    with ThreadPoolExecutor(workers) as pool:
        ran = dict(zip((step.number for step in to_run), pool.map(answer, to_run)))
    return {number: kept[number] or ran[number] for number in kept}


def main(root=ROOT, say=print, workers=2):
    """The table: step, TODO stubs left in steps/, TODOs passing, where test-step stops; then the hints used."""
    steps = manifest.steps(root)
    present = [step for step in steps if step.starter.is_dir()]
    answers = _answers(present, say, workers)
    say(f"{'step':<22} {'TODOs left':>10}  {'passing':>8}  make test-step N")
    for step in steps:
        name = f"{step.number} {step.folder}"
        if step.number not in answers:
            say(f"{name:<22} {'-':>10}  {'-':>8}  folder missing: `make reset-step {step.number}`")
            continue
        code, todos = answers[step.number]
        shown = f"{len(passing(step, code, todos))} of {len(step.todos)}"
        say(f"{name:<22} {hints.stubs_left(step.starter):>10}  {shown:>8}  {where(step, code, todos)}")
    used = hints.used(steps)
    say(f"Hints used (level shown of those there are): {', '.join(used)}." if used else
        "Hints used: none yet (`make hint-step N` gives the next one for the TODO you are at).")
    return 0

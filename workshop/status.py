"""`make status`: one line per step, the TODO stubs left in steps/, the TODOs that pass and where
`make test-step N` stops.

A step's answer is the one `make test-step N` keeps (build/test-step/, keyed by everything its test run depends
on): a step tested since it last changed answers at once; the others run their tests as test-step does, up to the
first failure, two steps at a time.
"""
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


def main(root=ROOT, say=print, workers=2):
    """The table: step, TODO stubs left in steps/, TODOs passing, where test-step stops."""
    steps = manifest.steps(root)
    present = [step for step in steps if step.starter.is_dir()]
    with ThreadPoolExecutor(workers) as pool:
        answers = dict(zip((step.number for step in present), pool.map(
            lambda step: step_tests.answer(step, step.starter, say=lambda line: None), present)))
    say(f"{'step':<22} {'TODOs left':>10}  {'passing':>8}  make test-step N")
    for step in steps:
        name = f"{step.number} {step.folder}"
        if step.number not in answers:
            say(f"{name:<22} {'-':>10}  {'-':>8}  folder missing: `make reset-step {step.number}`")
            continue
        code, todos = answers[step.number]
        shown = f"{len(passing(step, code, todos))} of {len(step.todos)}"
        say(f"{name:<22} {hints.stubs_left(step.starter):>10}  {shown:>8}  {where(step, code, todos)}")
    return 0

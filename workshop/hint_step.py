"""`make hint-step N`: the next hint of the TODO that `make test-step N` names, or word that the step passes.

Each run shows the next level of that TODO's hints (a nudge, where to look, the code), and says how many are left;
`make hint-step N LEVEL=k` shows level k.
"""
from workshop import hints, manifest, step_tests
from workshop.paths import ROOT


def next_hint(step, todo, level=None):
    """Hint `level` of `todo` (default: the one after the highest shown so far, or the last again), remembered."""
    total = len(todo.hints)
    if level is not None and not 1 <= level <= total:
        raise SystemExit(f"TODO {todo.id} has hint levels 1 to {total}: LEVEL={level} is none of them.")
    level = level or min(hints.shown(step).get(todo.id, 0) + 1, total)
    hints.remember(step, todo, level)
    return hints.level(step, todo, level)


def main(number, root=ROOT, say=print, level=None):
    step = manifest.step(number, root)
    if not step.starter.is_dir():
        raise SystemExit(f"{step.starter.relative_to(root)} is missing: `make reset-step {step.number}` restores it.")
    broken = step_tests.broken(step, step.starter)  # a syntax error, or what the last test-step met
    code, todos = (step_tests.FAILED, []) if broken else step_tests.answer(step, step.starter, say)
    broken = broken or step_tests.broken(step, step.starter)
    if broken:
        say(broken)
    elif code == 0:
        say(f"Step {step.number} passes all its tests: no hint needed. On to the next step!")
    elif code == step_tests.NO_TESTS:
        say(f"No tests ran for step {step.number}, so there is no TODO to hint: `make test-step {step.number}`.")
    elif code != step_tests.FAILED:
        say(f"The tests of step {step.number} could not run: `make test-step {step.number}` shows why.")
    elif not todos:
        say(f"Step {step.number} fails a test that checks the plumbing outside the TODOs: `make test-step "
            f"{step.number}` shows its message.")
    else:
        say("\nOr: ".join(next_hint(step, todo, level) for todo in todos))
        left = [other.id for other in hints.todos_left(step) if other not in todos]
        if left:
            say(f"(Stubs still open after this one: {', '.join(left)}.)")
    return 0

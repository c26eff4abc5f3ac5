"""`make test`: steps/ is generated, the tooling works, every solution passes, every TODO is checked by a test, and
every wrong variant is caught by a test of its TODO."""
import subprocess
import sys
import time

from workshop import ROOT, check_generated, manifest, reach, starter_check, step_tests, variant_check
from workshop.generate import MarkerError


def _pytest(folders, root, say):
    command = [sys.executable, "-m", "pytest", *folders, "-q", "-p", "no:cacheprovider"]
    code = subprocess.call(command, cwd=root)
    if code == step_tests.NO_TESTS:
        say(f"{' and '.join(folders)} collected no tests.")
    return code


def _solutions(root, say):
    for step in manifest.steps(root):
        say(f"--- step {step.number} ({step.folder}) against solutions/, noting which tests reach each TODO")
        code, _, _ = reach.record(step, echo=sys.stdout.write)
        if code == step_tests.NO_TESTS:
            say(f"No tests ran for step {step.number}: tests/step{step.number:02d} must hold test_*.py files.")
        if code != 0:
            say(f"Step {step.number}'s solution fails its tests (above): fix solutions/{step.folder} or the test.")
            return code
    return 0


def main(root=ROOT, say=print, workers=2):
    stages = [
        ("check-generated", lambda: check_generated.main(root, say)),
        ("tooling tests", lambda: _pytest(["tests/tooling"], root, say)),
        ("every step's tests against solutions/", lambda: _solutions(root, say)),
        ("starter check", lambda: starter_check.check(root, workers, say=say)),
        ("wrong-variant check", lambda: variant_check.check(root, workers, say=say)),
        ("the offline demo and the slides", lambda: _pytest(["tests/demo", "tests/slides"], root, say)),
    ]
    timings = []
    for name, stage in stages:
        say(f"=== {name}")
        started = time.monotonic()
        try:
            code = stage()
        except MarkerError as error:
            say("\n".join(error.problems))
            code = 1
        timings.append(f"{name} {time.monotonic() - started:.1f} s")
        if code != 0:
            say(f"make test failed at: {name} (see above).")
            return 1
    say(f"make test passed ({', '.join(timings)}).")
    return 0

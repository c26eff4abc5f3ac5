"""`make test`: steps/ is generated, the tooling works, every solution passes, the demo and the slides work, every
TODO is checked by a test, and every wrong variant is caught by a test of its TODO.

The test suites run `workers` at a time, each step's in a fork of one process that imported the heavy libraries
(workshop/forked.py), which the two checks then share; each suite's output comes as it ends.
"""
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from workshop import ROOT, check_generated, forked, manifest, reach, starter_check, step_tests, variant_check
from workshop.generate import MarkerError


def _pytest(folders, root):
    command = [sys.executable, "-m", "pytest", *folders, "-q", "-p", "no:cacheprovider"]
    run = subprocess.run(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         errors="replace")
    if run.returncode == step_tests.NO_TESTS:
        return run.returncode, run.stdout + f"{' and '.join(folders)} collected no tests.\n"
    return run.returncode, run.stdout


def _solution(step, zygote):
    code, output, _ = reach.record(step, zygote=zygote)
    if code == step_tests.NO_TESTS:
        output += f"No tests ran for step {step.number}: tests/step{step.number:02d} must hold test_*.py files.\n"
    elif code != 0:
        output += f"Step {step.number}'s solution fails its tests (above): fix solutions/{step.folder} or the test.\n"
    return code, output


def _suites(root, zygote, workers, say):
    """The tooling tests, the demo, every step's tests against solutions/ (noting which tests reach each TODO) and
    the slides, `workers` at a time, the longest first (the zygote loads meanwhile); 0 when all pass."""
    suites = [("tooling tests", lambda: _pytest(["tests/tooling"], root)),
              ("the offline demo", lambda: _pytest(["tests/demo"], root))]
    suites += [(f"step {step.number} ({step.folder}) against solutions/, noting which tests reach each TODO",
                lambda step=step: _solution(step, zygote)) for step in manifest.steps(root)]
    suites.append(("the slides", lambda: _pytest(["tests/slides"], root)))
    zygote.start()

    def timed(suite):
        started = time.monotonic()
        return (*suite[1](), time.monotonic() - started)

    failed = []
    with ThreadPoolExecutor(workers) as pool:
        for (name, _), (code, output, seconds) in zip(suites, pool.map(timed, suites)):
            say(f"--- {name} ({seconds:.1f} s)\n{output.rstrip()}")
            if code != 0:
                failed.append(name)
    if failed:
        say(f"Failed: {'; '.join(failed)} (above).")
    return 1 if failed else 0


def main(root=ROOT, say=print, workers=2):
    with forked.for_root(root) as zygote:
        stages = [
            ("check-generated", lambda: check_generated.main(root, say)),
            ("the test suites", lambda: _suites(root, zygote, workers, say)),
            ("starter check", lambda: starter_check.check(root, workers, say=say, zygote=zygote)),
            ("wrong-variant check", lambda: variant_check.check(root, workers, say=say, zygote=zygote)),
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

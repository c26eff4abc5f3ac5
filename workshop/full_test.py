"""`make test`: ruff finds nothing to say (pyproject.toml holds its rules), and every test suite passes against the
solutions (the tooling's, the demo's, each step's, the slides').

It is everyone's command (attendees after `git pull`, the host before the stream, maintainers), so an attendee's
work in steps/ never makes it fail: it only notes that steps/ differs. Whether steps/ is exactly what the generator
makes is the maintainers' check, `make check-generated`, which `make check-workshop` and CI run.

The suites run `workers` at a time, one pytest process each (on two cores that keeps both busy, as pytest-xdist
would, and each suite keeps its own session fixtures); each suite's output comes as it ends. Whether the tests catch
the starters and the wrong variants is `make check-workshop`'s question.
"""
import importlib.util
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from workshop import check_generated, step_tests
from workshop.generate import MarkerError
from workshop.paths import ROOT


def _pytest(folder, root):
    """(exit code, output) of pytest on tests/`folder` against the solutions."""
    command = [sys.executable, "-m", "pytest", f"tests/{folder}", "-q", "-p", "no:cacheprovider",
               "--tree=solutions"]
    run = subprocess.run(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         errors="replace")
    if run.returncode == step_tests.NO_TESTS:
        return run.returncode, run.stdout + f"tests/{folder} collected no tests: it must hold test_*.py files.\n"
    return run.returncode, run.stdout


def lint(root, say):
    """0 when `ruff check` passes on `root` (steps/ aside: it is generated from solutions/); else 1, after ruff's
    findings and what to do."""
    if importlib.util.find_spec("ruff") is None:
        say("ruff is not installed in this Python: `make setup` installs it (requirements.txt pins it).")
        return 1
    # This checkout's rules, also on another --root; steps/ is generated from solutions/, which ruff checks.
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
               "--extend-exclude", "steps", "."]
    run = subprocess.run(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         errors="replace")
    if run.returncode != 0:
        say(run.stdout.rstrip())
        say("make test failed at: ruff (above). `.venv/bin/ruff check --fix` fixes most of it; the rest by hand.")
        return 1
    return 0


# The suites' folders under tests/, the longest first (measured: `make bench`), so that the two at a time end together.
LONGEST_FIRST = ("step03", "step02", "demo", "step01", "tooling", "host", "step04", "slides")


# Suites with a command of their own: the README's walks take minutes (`make test-journeys`, a CI step of its own).
OWN_COMMAND = ("journeys",)


def suites(root=ROOT):
    """The folders under tests/ that hold tests, the longest first."""
    folders = sorted(path.name for path in (root / "tests").iterdir()
                     if any(path.glob("test_*.py")) and path.name not in OWN_COMMAND)
    return sorted(folders, key=lambda name: LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST))


def main(root=ROOT, say=print, workers=2):
    started = time.monotonic()
    try:
        edited = check_generated.differences(root)
    except MarkerError as error:
        say("\n".join(error.problems))
        return 1
    if edited:
        say(f"Note: {len(edited)} file(s) of steps/ differ from the starters (your work, if you are following the "
            "workshop; maintainers: `make check-generated` names them, `make generate` rewrites steps/). make test "
            "tests the solutions, whatever steps/ holds.")
    say("=== ruff check")
    if lint(root, say) != 0:
        return 1

    def timed(folder):
        began = time.monotonic()
        return (*_pytest(folder, root), time.monotonic() - began)

    failed = []
    listed = suites(root)
    with ThreadPoolExecutor(workers) as pool:
        for folder, (code, output, seconds) in zip(listed, pool.map(timed, listed)):
            say(f"--- tests/{folder} against solutions/ ({seconds:.1f} s)\n{output.rstrip()}")
            if code != 0:
                failed.append(f"tests/{folder}")
    if failed:
        say(f"make test failed: {'; '.join(failed)} (above).")
        return 1
    say(f"make test passed in {time.monotonic() - started:.0f} s.")
    return 0

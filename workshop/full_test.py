"""`make test`: ruff finds nothing to say (pyproject.toml holds its rules), and every test suite passes against the
solutions (the tooling's, the demo's, each step's, the slides').

It is everyone's command (attendees after `git pull`, the host before the stream, maintainers), so an attendee's
work in steps/ never makes it fail: it only notes that steps/ differs. Whether steps/ is exactly what the generator
makes is the maintainers' check, `make check-generated`, which `make check-workshop` and CI run.

The suites run `workers` at a time, one pytest process each (on two cores that keeps both busy, as pytest-xdist
would, and each suite keeps its own session fixtures). A line says when a suite starts; every `every` seconds a
line says which suites are running, how far each is (pytest's own percentage) and the time so far; each suite's
output comes as it ends. Whether the tests catch the starters and the wrong variants is `make check-workshop`'s
question.
"""
import importlib.util
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from workshop import check_generated, step_tests
from workshop.generate import MarkerError
from workshop.paths import ROOT

PERCENT = re.compile(r"\[\s*(\d+)%\]\s*$")  # the end of a line of pytest -q's dots
EVERY = 30  # seconds between two lines of progress


class Suite:
    """One suite's pytest run: its folder, how far it is, and when it started."""

    def __init__(self, folder):
        self.folder, self.percent, self.started = folder, 0, None

    def run(self, root, say, place):
        self.started = time.monotonic()
        say(f"--- tests/{self.folder} started ({place})")
        command = [sys.executable, "-m", "pytest", f"tests/{self.folder}", "-q", "-p", "no:cacheprovider",
                   "--tree=solutions"]
        process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   errors="replace")
        lines = []
        for line in process.stdout:
            lines.append(line)
            found = PERCENT.search(line)
            if found:
                self.percent = int(found[1])
        code, output = process.wait(), "".join(lines)
        if code == step_tests.NO_TESTS:
            output += f"tests/{self.folder} collected no tests: it must hold test_*.py files.\n"
        return code, output, time.monotonic() - self.started


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


# The suites' folders under tests/, the longest first, so that the two at a time end together (measured one at a time
# on a fresh clone, 2026-12-07: tooling 106 s, step03 69 s and the checkpoints' 10 s, demo 65-79 s, host 41 s,
# step04 32 s, step01 30 s, step02 22 s, readmes 20 s, slides 8 s).
LONGEST_FIRST = ("tooling", "step03", "demo", "host", "step04", "step01", "step02", "readmes", "slides")


# Suites with a command of their own: the README's walks take minutes (`make test-journeys`, a CI step of its own).
OWN_COMMAND = ("journeys",)


def suites(root=ROOT):
    """The folders under tests/ that hold tests, the longest first."""
    folders = sorted(path.name for path in (root / "tests").iterdir()
                     if any(path.glob("test_*.py")) and path.name not in OWN_COMMAND)
    return sorted(folders, key=lambda name: LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST))


def _progress(running, done, total, started):
    now = time.monotonic()
    shown = ", ".join(f"tests/{suite.folder} {suite.percent}% ({now - suite.started:.0f} s)" for suite in running)
    return f"... running {shown}; {done} of {total} suites done, {now - started:.0f} s so far"


def one_at_a_time(say):
    """`say` for several threads: the suites' and the progress line's. print() writes a line and its end separately,
    so two at once could run together on one line."""
    lock = threading.Lock()

    def said(text):
        with lock:
            say(text)

    return said


def main(root=ROOT, say=print, workers=2, every=EVERY):
    started, say = time.monotonic(), one_at_a_time(say)
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

    listed = [Suite(folder) for folder in suites(root)]
    failed, finished, stop = [], [], threading.Event()

    def report():
        while not stop.wait(every):
            running = [suite for suite in listed if suite.started and suite not in finished]
            if running:
                say(_progress(running, len(finished), len(listed), started))

    reporter = threading.Thread(target=report, daemon=True)
    reporter.start()
    try:
        with ThreadPoolExecutor(workers) as pool:
            runs = {pool.submit(suite.run, root, say, f"{place} of {len(listed)}"): suite
                    for place, suite in enumerate(listed, start=1)}
            for done in as_completed(runs):
                suite, (code, output, seconds) = runs[done], done.result()
                finished.append(suite)
                verdict = "passed" if code == 0 else "FAILED"
                say(f"--- tests/{suite.folder} against solutions/: {verdict} in {seconds:.1f} s "
                    f"({len(finished)} of {len(listed)} suites done, {time.monotonic() - started:.0f} s so far)\n"
                    f"{output.rstrip()}")
                if code != 0:
                    failed.append(f"tests/{suite.folder}")
    finally:
        stop.set()
        reporter.join()
    if failed:
        say(f"make test failed: {'; '.join(sorted(failed))} (above).")
        return 1
    say(f"make test passed in {time.monotonic() - started:.0f} s.")
    return 0

"""`make test`: steps/ is generated, and every test suite passes against the solutions (the tooling's, the demo's,
each step's, the slides').

The suites run `workers` at a time, one pytest process each (on two cores that keeps both busy, as pytest-xdist
would, and each suite keeps its own session fixtures). A line says when a suite starts; every `every` seconds a
line says which suites are running, how far each is (pytest's own percentage) and the time so far; each suite's
output comes as it ends. Whether the tests catch the starters and the wrong variants is `make check-workshop`'s
question.
"""
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from workshop import ROOT, check_generated, step_tests
from workshop.generate import MarkerError

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


# The suites' folders under tests/, the longest first (measured: `make bench`), so that the two at a time end together.
LONGEST_FIRST = ("step03", "step02", "demo", "step01", "tooling", "step04", "slides")


def suites(root=ROOT):
    """The folders under tests/ that hold tests, the longest first."""
    folders = sorted(path.name for path in (root / "tests").iterdir() if any(path.glob("test_*.py")))
    return sorted(folders, key=lambda name: LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST))


def _progress(running, done, total, started):
    now = time.monotonic()
    shown = ", ".join(f"tests/{suite.folder} {suite.percent}% ({now - suite.started:.0f} s)" for suite in running)
    return f"... running {shown}; {done} of {total} suites done, {now - started:.0f} s so far"


def main(root=ROOT, say=print, workers=2, every=EVERY):
    started = time.monotonic()
    say("=== check-generated")
    try:
        if check_generated.main(root, say) != 0:
            say("make test failed at: check-generated (see above).")
            return 1
    except MarkerError as error:
        say("\n".join(error.problems))
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

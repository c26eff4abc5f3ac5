"""Running a step's tests: `make test-step N` (stops at the first failure and names the TODO) and `make status`."""
import os
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from workshop import ROOT, hints, manifest

NO_TESTS = 5  # pytest's exit code when it collected nothing


def tree_folder(tree, root=ROOT):
    """The folder a `--tree`/TARGET value names: steps, solutions, or a path."""
    return Path(root) / tree if tree in ("steps", "solutions") else Path(tree).resolve()


def pytest_command(step, tree, *options):
    return [sys.executable, "-m", "pytest", str(step.tests.relative_to(step.root)), f"--rootdir={step.root}",
            f"--tree={tree}", "-p", "no:cacheprovider", *options]


def run(step, tree, *options, echo=None, timeout=None):
    """Run the tests of `step` against the folder `tree`; (exit code, output). `echo` gets each line as it comes."""
    if not step.tests.is_dir():
        message = f"{step.tests.relative_to(step.root)} does not exist: step {step.number} has no tests yet.\n"
        if echo:
            echo(message)
        return NO_TESTS, message
    process = subprocess.Popen(
        pytest_command(step, tree, *options), cwd=step.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, errors="replace",
    )
    lines = []

    def stop():
        lines.append(f"(stopped: the tests ran longer than {timeout} s)\n")
        process.kill()

    watchdog = threading.Timer(timeout or 0, stop)
    if timeout:
        watchdog.start()
    try:
        for line in process.stdout:
            lines.append(line)
            if echo:
                echo(line)
    finally:
        watchdog.cancel()
        code = process.wait()
    return code, "".join(lines)


def _echo(line):
    sys.stdout.write(line)
    sys.stdout.flush()


def main(number, tree=None, root=ROOT, say=print):
    """`make test-step N`: pytest -x -q on the step; on failure, name the TODO to work on and its hint."""
    step = manifest.step(number, root)
    tree = tree or os.environ.get("TARGET") or "steps"
    folder = tree_folder(tree, root) / step.folder
    if not folder.parent.is_dir():
        raise SystemExit(f"TARGET={tree} is no folder: use steps (your work), solutions, or a folder laid out like them.")
    if not folder.is_dir():
        raise SystemExit(f"{folder} is missing: `make reset-step {step.number}` restores the starter.")
    color = ["--color=yes"] if sys.stdout.isatty() else []
    code, output = run(step, folder.parent, "-x", "-q", *color, echo=_echo)
    if code == 0:
        say(f"Step {step.number} passes all its tests against {tree}.")
        return 0
    if code == NO_TESTS:
        say(f"No tests ran for step {step.number}: {step.tests.relative_to(root)} must hold test_*.py files.")
        return 1
    todo = hints.failing_todo(step, output, folder)
    say("")
    if todo:
        say(f"Not there yet. {hints.describe(step, todo)}")
    else:
        say(f"Step {step.number} fails a test (above) but no TODO stub is left: read the test's message for what "
            "to change.")
    return code


def _count(step, tree):
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.xml"
        run(step, tree, "-q", f"--junitxml={report}")
        if not report.exists():
            return None
        suite = ElementTree.parse(report).getroot()
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
        total, broken = int(suite.get("tests", 0)), sum(int(suite.get(key, 0)) for key in ("failures", "errors"))
        return total - broken - int(suite.get("skipped", 0)), total


def status(root=ROOT, say=print, workers=2):
    """`make status`: a table of steps, TODO stubs left in steps/ and tests passing."""
    steps = manifest.steps(root)
    present = [step for step in steps if step.starter.is_dir()]
    with ThreadPoolExecutor(workers) as pool:
        counts = dict(zip((s.number for s in present), pool.map(lambda s: _count(s, s.starter.parent), present)))
    say(f"{'step':<22} {'TODOs left':>10}  tests passing")
    for step in steps:
        name = f"{step.number} {step.folder}"
        if step.number not in counts:
            say(f"{name:<22} {'-':>10}  folder missing: `make reset-step {step.number}`")
            continue
        count = counts[step.number]
        passing = f"{count[0]}/{count[1]}" if count and count[1] else "no tests"
        say(f"{name:<22} {hints.stubs_left(step.starter):>10}  {passing}")
    return 0

"""Running a step's tests: `make test-step N` stops at the first failure and names the TODO."""
import os
import subprocess
import sys
import threading
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

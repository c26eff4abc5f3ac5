"""`make watch-step N`: the step's tests again each time a file of its folder is saved, like rustlings' watch.

Each run clears the screen and, like `make test-step`, stops at the first failure: it shows how many of the step's
TODOs pass (its stub is gone and its tests, which run before those of later TODOs, pass), then the first failing
test with its TODO and hint, or the file that does not import. Ctrl-C ends it. Where file events do not arrive (WSL2
with the repository on a Windows drive under /mnt/), or with WATCH_POLL=1, it polls the files instead, and says so. The tests report to the watcher through
this module, loaded into pytest as a plugin (`-p workshop.watch`): one JSON line per test.
"""
import json
import os
import platform
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import watchfiles

from workshop import broken_files, files, hints, manifest, step_tests, todo_marks
from workshop.paths import ROOT, shown, tree_folder, tree_name

REPORT = "WHEREML_WATCH_REPORT"  # the file the plugin writes its lines to
CLEAR_SCREEN = "\033[2J\033[H"
POLL_MS = 500  # how often a polling watch looks at the files


# ------------------------------------------------------------------------------------ the plugin, inside pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if os.environ.get(REPORT) and (report.failed or report.when == "call"):
        crash = getattr(report.longrepr, "reprcrash", None)
        tree = todo_marks.tree_under_test(item.config)
        broken = broken_files.mark(call.excinfo, tree) if report.failed and call.excinfo and tree else None
        line = {"test": report.nodeid, "todos": todo_marks.todo_ids(item), "failed": report.failed,
                "message": crash.message if crash else str(report.longrepr or ""), "broken": broken}
        with open(os.environ[REPORT], "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
    return report


# ---------------------------------------------------------------------------------------------- the watcher


@dataclass
class Result:
    """One run of a step's tests, up to the first failure: which TODOs pass, how many tests ran, the failure."""

    passing: list
    tests: int
    failures: list  # {"test", "todos", "message"}: the first failure, or none
    broken: str = ""  # what to say when a file of the step does not import


def run_tests(step, folder):
    syntax = broken_files.syntax_error(folder, step.root)
    if syntax:  # no test could run the file: say so rather than blame the first test's TODO
        return Result([], 0, [], syntax.describe(step.number))
    with tempfile.TemporaryDirectory(prefix="whereml-watch-") as scratch:
        report = Path(scratch) / "tests.jsonl"
        report.touch()
        os.environ[REPORT] = str(report)
        try:
            code, output = step_tests.run(step, folder.parent, "-q", "-x", "-p", "workshop.watch")
        finally:
            del os.environ[REPORT]
        lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    failures = [line for line in lines if line["failed"]][:1]
    if code not in (0, 1) and not failures:  # the tests could not run at all (no tests, a broken conftest...)
        failures.append({"test": "collecting the tests", "todos": [], "message": output.strip()[-2000:]})
    broken = next((line["broken"] for line in failures if line.get("broken")), None)
    broken = broken and broken_files.from_output(broken, step.root).describe(step.number)
    stubbed = {todo.id for todo in hints.todos_left(step, folder)}
    first = todo_of(step, folder, failures[0]) if failures else None
    before = [todo for todo in step.todos if first is None or todo_marks.rank(todo.id) < todo_marks.rank(first.id)]
    passing = [todo.id for todo in before if todo.id not in stubbed] if not broken else []
    return Result(passing, len({line["test"] for line in lines}), failures, broken or "")


def todo_of(step, folder, failure):
    """The TODO a failing test points at: the stub it raised, else the first it is tagged with, else the first stub
    still in `folder` (None: the test checks the plumbing)."""
    raised = [step.todo(todo_id) for todo_id in todo_marks.RAISED.findall(failure["message"])]
    tagged = [step.todo(todo_id) for todo_id in failure["todos"]]
    found = [todo for todo in raised + tagged if todo] + hints.todos_left(step, folder)
    return found[0] if found else None


def screen(step, folder, result):
    """What a run shows: the TODOs passing, then the first failure, its TODO and hint (or the file that does not
    import)."""
    where = shown(folder, step.root)
    lines = [f"Step {step.number}: {step.title} — watching {where} (Ctrl-C ends)", ""]
    if result.broken:
        return "\n".join([*lines, result.broken, "", f"Save a file in {where} to run the tests again."])
    lines += [f"TODOs passing: {len(result.passing)} of {len(step.todos)}"
              + (f" ({', '.join(result.passing)})" if result.passing else ""),
              f"Tests passing: {result.tests - len(result.failures)} of {result.tests} run"
              + (" (the run stops at the first failure)" if result.failures else ""), ""]
    if not result.failures:
        lines.append(f"Every test of step {step.number} passes.")
    else:
        first = result.failures[0]
        message = first["message"].strip().splitlines() or [""]
        lines += [f"First failure: {first['test']}", *(f"  {line}" for line in message[:12])]
        todo = todo_of(step, folder, first)
        lines += ["", hints.describe(step, todo)] if todo else [
            "", "This test checks the plumbing outside the TODOs: its message says what to change."]
    lines += ["", f"Save a file in {where} to run the tests again."]
    return "\n".join(lines)


def polling_reason(folder, environ=os.environ, release=None):
    """Why to poll the files rather than wait for file events (None: events work): WATCH_POLL=1, or WSL2 with the
    folder on a Windows drive (/mnt/c/...), whose changes never reach Linux as events."""
    if environ.get("WATCH_POLL", "") not in ("", "0"):
        return "WATCH_POLL=1"
    release = platform.release() if release is None else release
    if "microsoft" in release.lower() and Path(folder).resolve().parts[1:2] == ("mnt",):
        return "WSL2 with the repository on a Windows drive (/mnt/...), whose file events do not reach Linux"
    return None


def step_files(folder):
    """A watchfiles filter: files of the step (workshop/files.py), not editors' swap and backup files."""
    editors = watchfiles.DefaultFilter()
    return lambda change, path: editors(change, path) and not files.skipped(os.path.relpath(path, folder))


def main(number, tree=None, root=ROOT, say=print, stop_event=None):
    """Run the step's tests, then again after each save in its folder, until Ctrl-C (or `stop_event` is set)."""
    step = manifest.step(number, root)
    tree = tree_name(tree)
    folder = tree_folder(tree, root) / step.folder
    if not folder.is_dir():
        raise SystemExit(f"{folder} is missing: `make reset-step {step.number}` restores the starter.")
    clear = CLEAR_SCREEN if sys.stdout.isatty() else ""
    polling = polling_reason(folder)
    polled = f"\n(Watching by polling the files every {POLL_MS / 1000:g} s: {polling}.)" if polling else ""
    try:
        say(f"{clear}Running the tests of step {step.number} ...")
        say(f"{clear}{screen(step, folder, run_tests(step, folder))}{polled}")
        for _ in watchfiles.watch(folder, watch_filter=step_files(folder), stop_event=stop_event, debounce=400,
                                  force_polling=True if polling else None, poll_delay_ms=POLL_MS):
            say(f"{clear}A file changed: running the tests of step {step.number} again ...")
            say(f"{clear}{screen(step, folder, run_tests(step, folder))}{polled}")
    except KeyboardInterrupt:
        say("\nStopped watching.")
    return 0

"""`make watch-step N`: the step's tests again each time a file of its folder is saved, like rustlings' watch.

Each run clears the screen and shows how many of the step's TODOs pass (its stub is gone and no test tagged with it
fails), then the first failing test with its TODO and hint. Ctrl-C ends it. The tests report to the watcher through
this module, loaded into pytest as a plugin (`-p workshop.watch`): one JSON line per test.
"""
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import watchfiles

from workshop import ROOT, files, hints, manifest, step_tests, todo_marks

REPORT = "WHEREML_WATCH_REPORT"  # the file the plugin writes its lines to
CLEAR_SCREEN = "\033[2J\033[H"


# ------------------------------------------------------------------------------------ the plugin, inside pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if os.environ.get(REPORT) and (report.failed or report.when == "call"):
        crash = getattr(report.longrepr, "reprcrash", None)
        line = {"test": report.nodeid, "todos": todo_marks.todo_ids(item), "failed": report.failed,
                "message": crash.message if crash else str(report.longrepr or "")}
        with open(os.environ[REPORT], "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
    return report


# ---------------------------------------------------------------------------------------------- the watcher


@dataclass
class Result:
    """One run of a step's tests: which TODOs pass, how many tests, and the failing ones in the order they ran."""

    passing: list
    tests: int
    failures: list  # {"test", "todos", "message"}, first failure first


def run_tests(step, folder):
    with tempfile.TemporaryDirectory(prefix="whereml-watch-") as scratch:
        report = Path(scratch) / "tests.jsonl"
        report.touch()
        os.environ[REPORT] = str(report)
        try:
            code, output = step_tests.run(step, folder.parent, "-q", "-p", "workshop.watch")
        finally:
            del os.environ[REPORT]
        lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    failures, seen = [], set()
    for line in lines:
        if line["failed"] and line["test"] not in seen:
            seen.add(line["test"])
            failures.append(line)
    if code not in (0, 1) and not failures:  # the tests could not run at all (a syntax error, no tests...)
        failures.append({"test": "collecting the tests", "todos": [], "message": output.strip()[-2000:]})
    failing = {todo_id for failure in failures for todo_id in failure["todos"]}
    stubbed = {todo.id for todo in hints.todos_left(step, folder)}
    passing = [todo.id for todo in step.todos if todo.id not in failing | stubbed]
    return Result(passing, len({line["test"] for line in lines}), failures)


def todo_of(step, folder, failure):
    """The TODO a failing test points at: the stub it raised, else the first it is tagged with, else the first stub
    still in `folder` (None: the test checks the plumbing)."""
    raised = [step.todo(todo_id) for todo_id in todo_marks.RAISED.findall(failure["message"])]
    tagged = [step.todo(todo_id) for todo_id in failure["todos"]]
    found = [todo for todo in raised + tagged if todo] + hints.todos_left(step, folder)
    return found[0] if found else None


def screen(step, folder, result):
    """What a run shows: the TODOs passing, then the first failure, its TODO and hint."""
    where = os.path.relpath(folder, step.root) if folder.is_relative_to(step.root) else str(folder)
    lines = [f"Step {step.number}: {step.title} — watching {where} (Ctrl-C ends)", "",
             f"TODOs passing: {len(result.passing)} of {len(step.todos)}"
             + (f" ({', '.join(result.passing)})" if result.passing else ""),
             f"Tests passing: {result.tests - len(result.failures)} of {result.tests}", ""]
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


def step_files(folder):
    """A watchfiles filter: files of the step (workshop/files.py), not editors' swap and backup files."""
    editors = watchfiles.DefaultFilter()
    return lambda change, path: editors(change, path) and not files.skipped(os.path.relpath(path, folder))


def main(number, tree=None, root=ROOT, say=print, stop_event=None):
    """Run the step's tests, then again after each save in its folder, until Ctrl-C (or `stop_event` is set)."""
    step = manifest.step(number, root)
    tree = tree or os.environ.get("TARGET") or "steps"
    folder = step_tests.tree_folder(tree, root) / step.folder
    if not folder.is_dir():
        raise SystemExit(f"{folder} is missing: `make reset-step {step.number}` restores the starter.")
    clear = CLEAR_SCREEN if sys.stdout.isatty() else ""
    try:
        say(f"{clear}Running the tests of step {step.number} ...")
        say(f"{clear}{screen(step, folder, run_tests(step, folder))}")
        for _ in watchfiles.watch(folder, watch_filter=step_files(folder), stop_event=stop_event, debounce=400):
            say(f"{clear}A file changed: running the tests of step {step.number} again ...")
            say(f"{clear}{screen(step, folder, run_tests(step, folder))}")
    except KeyboardInterrupt:
        say("\nStopped watching.")
    return 0

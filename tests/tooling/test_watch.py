"""`make watch-step N`: a saved file reruns the step's tests; the screen counts the TODOs passing and names the
first failure's TODO and hint; Ctrl-C ends it. The watcher is real (watchfiles on a small repository's steps/)."""
import signal
import subprocess
import sys
import threading
import time

from workshop import manifest, watch
from workshop.paths import ROOT

STUB_01_1 = 'raise NotImplementedError("TODO 01.1: add two numbers")'
STUB_01_2 = 'raise NotImplementedError("TODO 01.2: double a number")'
SECONDS = 60  # the longest any wait below may take


def tagged(repo, edit):
    """The small repository's step-1 tests, each tagged with the TODO it checks."""
    tests = repo / "tests/step01/test_calc.py"
    edit(tests, "def test_add", 'import pytest\n\n\n@pytest.mark.todo("01.1")\ndef test_add')
    edit(tests, "def test_double", '@pytest.mark.todo("01.2")\ndef test_double')


def wait_for(lines, text):
    deadline = time.monotonic() + SECONDS
    while not any(text in line for line in lines):
        assert time.monotonic() < deadline, f"waited {SECONDS} s for {text!r}; the watcher printed:\n{''.join(lines)}"
        time.sleep(0.05)


def test_the_screen_counts_the_todos_passing_and_names_the_first_failures_todo(repo, edit):
    tagged(repo, edit)
    edit(repo / "steps/01_calc/calc.py", STUB_01_1, "return a - b")  # a wrong fill: the stub is gone
    step = manifest.step(1, repo)
    result = watch.run_tests(step, repo / "steps/01_calc")
    shown = watch.screen(step, repo / "steps/01_calc", result)
    assert "TODOs passing: 0 of 2" in shown, "01.1 fails its test and 01.2 is still a stub: none passes"
    assert "Tests passing: 0 of 1 run (the run stops at the first failure)" in shown
    assert "First failure: tests/step01/test_calc.py::test_add" in shown
    assert "Step 1, TODO 01.1: add two numbers\nHint: Python has an operator for it." in shown, shown


def test_saving_a_file_reruns_the_tests_and_ctrl_c_ends_the_watch(repo, edit):
    tagged(repo, edit)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "workshop", "--root", str(repo), "watch-step", "1"], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(watcher.stdout), daemon=True)
    reader.start()
    try:
        wait_for(lines, "TODOs passing: 0 of 2")
        wait_for(lines, "Save a file in steps/01_calc")
        time.sleep(0.5)  # the watcher is watching once it has said so
        edit(repo / "steps/01_calc/calc.py", STUB_01_1, "return a + b")
        wait_for(lines, "TODOs passing: 1 of 2 (01.1)")
        assert "A file changed: running the tests of step 1 again ...\n" in lines
        assert any("TODO 01.2: double a number" in line for line in lines), "the next failure's TODO is named"
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(timeout=SECONDS) == 0, "Ctrl-C ends the watch cleanly"
    finally:
        if watcher.poll() is None:
            watcher.kill()
    reader.join(timeout=SECONDS)
    assert lines[-1] == "Stopped watching.\n", lines[-3:]
    assert not any("Traceback" in line for line in lines), "Ctrl-C must end the watch without a traceback"


def test_when_every_test_passes_the_screen_says_so(repo, edit):
    tagged(repo, edit)
    edit(repo / "steps/01_calc/calc.py", STUB_01_1, "return a + b")
    edit(repo / "steps/01_calc/calc.py", STUB_01_2, "return twice(x)")
    step = manifest.step(1, repo)
    shown = watch.screen(step, repo / "steps/01_calc", watch.run_tests(step, repo / "steps/01_calc"))
    assert "TODOs passing: 2 of 2 (01.1, 01.2)" in shown and "Every test of step 1 passes." in shown, shown


def test_a_stop_event_ends_the_watch(repo):
    stop = threading.Event()
    said = []
    watching = threading.Thread(target=watch.main, args=(1, "steps", repo, said.append, stop))
    watching.start()
    wait_for(said, "Save a file in steps/01_calc")
    stop.set()
    watching.join(timeout=SECONDS)
    assert not watching.is_alive(), "setting the stop event must end the watch"

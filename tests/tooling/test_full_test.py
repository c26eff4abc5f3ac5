"""`make test`: every suite under tests/ against the solutions; a failure names its suite."""
import re
import threading
import time

from workshop import full_test


def test_every_suite_passes_against_the_solutions(repo, capsys):
    assert full_test.suites(repo) == ["step01", "step02"], "the longest first, as LONGEST_FIRST lists them"
    assert full_test.main(repo) == 0
    out = capsys.readouterr().out
    assert "--- tests/step01 against solutions/: passed in" in out and "make test passed in" in out


def test_a_failing_solution_names_its_suite(repo, edit, capsys):
    edit(repo / "solutions/02_greet/greet.py", 'f"Hello, {name}!"', 'f"Hello {name}!"')
    assert full_test.main(repo) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "make test failed: tests/step02 (above)."


def test_an_attendees_edited_steps_never_make_it_fail(repo, edit, capsys):
    edit(repo / "steps/01_calc/helpers.py", "2 * x", "x + x")
    assert full_test.main(repo) == 0, "make test tests the solutions: an attendee's work in steps/ is no failure"
    out = capsys.readouterr().out
    assert "Note: 1 file(s) of steps/ differ from the starters" in out and "make test passed in" in out


def test_ruff_runs_before_any_suite_and_names_the_file(repo, edit, capsys):
    edit(repo / "solutions/02_greet/greet.py", 'f"Hello, {name}!"', 'f"Hello, {name}!"; import os')
    assert full_test.main(repo) == 1
    out = capsys.readouterr().out
    assert "solutions/02_greet/greet.py" in out and "make test failed at: ruff" in out and "---" not in out


def test_without_ruff_it_says_how_to_get_it(repo, monkeypatch, capsys):
    monkeypatch.setattr(full_test.importlib.util, "find_spec", lambda name: None)
    assert full_test.lint(repo, print) == 1
    assert "`make setup` installs it" in capsys.readouterr().out


def test_this_repository_passes_ruff():
    """The rules are pyproject.toml's; steps/ is left out (generated from solutions/, which ruff checks)."""
    import subprocess
    import sys

    from workshop.paths import ROOT

    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout


def test_it_says_when_each_suite_starts_and_ends_and_how_far_the_running_ones_are(repo, write, capsys):
    write(repo / "tests/step02/test_slow.py", "import time\n\n\ndef test_slow():\n    time.sleep(2)\n")
    assert full_test.main(repo, workers=1, every=0.5) == 0
    lines = capsys.readouterr().out.splitlines()
    started = [line for line in lines if line.endswith("started (1 of 2)") or line.endswith("started (2 of 2)")]
    assert started == ["--- tests/step01 started (1 of 2)", "--- tests/step02 started (2 of 2)"]
    ended = [line for line in lines if " against solutions/: passed in " in line]
    assert [line.split(":")[0] for line in ended] == ["--- tests/step01 against solutions/",
                                                      "--- tests/step02 against solutions/"]
    assert ended[0].endswith(" s so far)") and "(1 of 2 suites done, " in ended[0]
    progress = [line for line in lines if line.startswith("... running tests/step02 ")]
    assert progress, "a line of progress every `every` seconds while a suite runs"
    assert re.fullmatch(r"\.\.\. running tests/step02 \d+% \(\d+ s\); 1 of 2 suites done, \d+ s so far", progress[-1])


def test_a_suite_that_ends_first_is_shown_first(repo, write, capsys):
    write(repo / "tests/step02/test_slow.py", "import time\n\n\ndef test_slow():\n    time.sleep(3)\n")
    assert full_test.main(repo, workers=2) == 0
    ended = [line.split(":")[0] for line in capsys.readouterr().out.splitlines() if "against solutions/:" in line]
    assert ended == ["--- tests/step01 against solutions/", "--- tests/step02 against solutions/"], (
        "step01 ends first and is not held back behind the longer step02")


def test_lines_from_suites_running_at_once_are_never_run_together(repo):
    """Two suites start at once, each in its thread: their lines come one at a time, each whole."""
    saying, overlapped, lines = threading.Semaphore(1), [], []

    def say(text):
        alone = saying.acquire(blocking=False)
        time.sleep(0.05)  # long enough for the other suite's thread to arrive
        overlapped.append(not alone)
        lines.append(text)
        if alone:
            saying.release()

    assert full_test.main(repo, say=say, workers=2) == 0
    assert not any(overlapped), lines

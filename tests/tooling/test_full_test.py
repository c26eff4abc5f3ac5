"""`make test`: every suite under tests/ against the solutions; a failure names its suite."""
from workshop import full_test


def test_every_suite_passes_against_the_solutions(repo, capsys):
    assert full_test.suites(repo) == ["step02", "step01"], "the longest first, as LONGEST_FIRST lists them"
    assert full_test.main(repo) == 0
    out = capsys.readouterr().out
    assert "--- tests/step01 against solutions/" in out and "make test passed in" in out


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

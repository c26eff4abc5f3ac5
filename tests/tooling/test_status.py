"""`make status` counts the stubs left and the tests passing, and runs a step's tests again only when it changed."""
import pytest

from workshop import status, step_tests

STUB_01_1 = 'raise NotImplementedError("TODO 01.1: add two numbers")'


def rows(capsys):
    return [row.split() for row in capsys.readouterr().out.splitlines()[1:]]


def test_status_counts_stubs_left_and_tests_passing(repo, edit, capsys):
    edit(repo / "steps/01_calc/calc.py", STUB_01_1, "return a + b")
    assert status.main(repo) == 0
    assert rows(capsys) == [["1", "01_calc", "1", "1/2"], ["2", "02_greet", "1", "0/1"]]


@pytest.fixture
def counted(repo, capsys, monkeypatch):
    """A status already taken, and a list of the steps whose tests run after that."""
    status.main(repo)
    capsys.readouterr()
    ran, run = [], step_tests.run
    monkeypatch.setattr(step_tests, "run", lambda step, *args, **kwargs: ran.append(step.number) or run(
        step, *args, **kwargs))
    return ran


def test_an_unchanged_step_is_not_tested_again(repo, counted, capsys):
    assert status.main(repo) == 0
    assert counted == [], "nothing changed since the last status: its counts are kept"
    assert rows(capsys) == [["1", "01_calc", "2", "0/2"], ["2", "02_greet", "1", "0/1"]]


@pytest.mark.parametrize("change, path, old, new, row", [
    ("the starter", "steps/01_calc/calc.py", STUB_01_1, "return a + b", ["1", "01_calc", "1", "1/2"]),
    ("the tests", "tests/step01/test_calc.py", "== 8", "== 9", ["1", "01_calc", "2", "0/2"]),
])
def test_a_changed_step_is_tested_again(repo, counted, edit, capsys, change, path, old, new, row):
    edit(repo / path, old, new)
    assert status.main(repo) == 0
    assert counted == [1], f"a change to {change} of step 1 runs its tests again, and only its"
    assert rows(capsys)[0] == row

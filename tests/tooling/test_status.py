"""`make status` counts the stubs left and the TODOs passing, says where `make test-step N` stops, and runs a step's
tests only when they have not run on its files as they are (test-step's answer is kept)."""
import pytest

from workshop import hint_step, status, step_tests

STUB_01_1 = 'raise NotImplementedError("TODO 01.1: add two numbers")'
STUB_02_1 = 'raise NotImplementedError("TODO 02.1: say hello to someone")'


def rows(capsys):
    """{step number: [stubs left, TODOs passing, where test-step stops]} from the table."""
    lines = capsys.readouterr().out.splitlines()
    lines = lines[next(i for i, line in enumerate(lines) if not line.startswith("(")):]  # after the progress lines
    assert lines[0].split()[:4] == ["step", "TODOs", "left", "passing"]
    found = {}
    for line in lines[1:]:
        if line.startswith("Hints used"):
            break
        number, _, stubs, passing, _, total, where = line.split(maxsplit=6)
        found[int(number)] = [stubs, f"{passing} of {total}", where]
    return found


def test_status_counts_stubs_left_todos_passing_and_where_test_step_stops(repo, edit, capsys):
    edit(repo / "steps/01_calc/calc.py", STUB_01_1, "return a + b")
    edit(repo / "steps/02_greet/greet.py", STUB_02_1, 'return f"Hello, {name}!"')
    assert status.main(repo) == 0
    assert rows(capsys) == {1: ["1", "1 of 2", "stops at TODO 01.2 (double a number)"], 2: ["0", "1 of 1", "passes"]}


def test_a_todo_after_the_one_test_step_stops_at_is_not_counted_as_passing(repo, edit, capsys):
    edit(repo / "steps/01_calc/calc.py", 'raise NotImplementedError("TODO 01.2: double a number")', "return 2 * x")
    assert status.main(repo) == 0
    assert rows(capsys)[1] == ["1", "0 of 2", "stops at TODO 01.1 (add two numbers)"], (
        "01.2 has no stub, but test-step stopped before its tests ran: it is not known to pass yet"
    )


def test_a_failing_plumbing_test_is_said_so(repo, edit, write, capsys):
    edit(repo / "steps/02_greet/greet.py", STUB_02_1, 'return f"Hello, {name}!"')
    write(repo / "tests/step02/test_plumbing.py", "def test_the_folder_has_a_readme():\n    assert False\n")
    assert status.main(repo) == 0
    assert rows(capsys)[2] == ["0", "1 of 1", "a test of the plumbing fails: `make test-step 2`"]


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
    assert counted == [], "nothing changed since the last status: its answers are kept"
    assert rows(capsys) == {1: ["2", "0 of 2", "stops at TODO 01.1 (add two numbers)"],
                            2: ["1", "0 of 1", "stops at TODO 02.1 (say hello to someone)"]}


def test_a_step_that_test_step_ran_on_is_not_tested_again(repo, edit, capsys, monkeypatch):
    edit(repo / "steps/01_calc/calc.py", STUB_01_1, "return a + b")
    step_tests.main(1, "steps", repo)
    ran, run = [], step_tests.run
    monkeypatch.setattr(step_tests, "run", lambda step, *args, **kwargs: ran.append(step.number) or run(
        step, *args, **kwargs))
    capsys.readouterr()
    assert status.main(repo) == 0
    assert ran == [2], "test-step 1 just ran on these very files: status takes its answer"
    assert rows(capsys)[1] == ["1", "1 of 2", "stops at TODO 01.2 (double a number)"]


@pytest.mark.parametrize("change, path, old, new, row", [
    ("the starter", "steps/01_calc/calc.py", STUB_01_1, "return a + b",
     ["1", "1 of 2", "stops at TODO 01.2 (double a number)"]),
    ("the tests", "tests/step01/test_calc.py", "== 5", "== 6", ["2", "0 of 2", "stops at TODO 01.1 (add two numbers)"]),
])
def test_a_changed_step_is_tested_again(repo, counted, edit, capsys, change, path, old, new, row):
    edit(repo / path, old, new)
    assert status.main(repo) == 0
    assert counted == [1], f"a change to {change} of step 1 runs its tests again, and only its"
    assert rows(capsys)[1] == row


def test_steps_whose_tests_run_say_so_as_they_start_and_end(repo, capsys):
    status.main(repo)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("(Running the tests of steps 1, 2 to see where `make test-step N` stops, 2 at a time")
    assert sorted(line.split(":")[0] for line in lines[1:3]) == ["(step 1", "(step 2"]
    assert all(" s so far)" in line for line in lines[1:3])
    status.main(repo)
    assert capsys.readouterr().out.startswith("step "), "answers kept: nothing runs, nothing to wait for"


def test_it_says_which_hints_were_used(repo, capsys):
    status.main(repo)
    assert capsys.readouterr().out.splitlines()[-1].startswith("Hints used: none yet")
    hint_step.main(1, repo)
    hint_step.main(1, repo)
    capsys.readouterr()
    status.main(repo)
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Hints used (level shown of those there are): 01.1 (2 of 3).")

"""`make test-step N` names the TODO to work on and its hint."""
import pytest

from workshop import step_tests

STUB_01_1 = 'raise NotImplementedError("TODO 01.1: add two numbers")'


def test_the_pristine_starter_fails_and_the_last_lines_name_the_todo_and_its_hint(repo, capsys):
    assert step_tests.main(1, "steps", repo) != 0
    last = capsys.readouterr().out.strip().splitlines()[-2:]
    assert last == ["Not there yet. Step 1, TODO 01.1: add two numbers", "Hint: Python has an operator for it. (more: `make hint-step 1`)"]


def test_after_solving_one_todo_the_next_failing_one_is_named(repo, edit, capsys):
    edit(repo / "steps/01_calc/calc.py", STUB_01_1, "return a + b")
    assert step_tests.main("1", "steps", repo) != 0
    assert capsys.readouterr().out.strip().splitlines()[-2] == "Not there yet. Step 1, TODO 01.2: double a number"


def test_a_failure_that_names_no_todo_points_at_the_first_stub_left(repo, edit, capsys):
    edit(repo / "steps/01_calc/calc.py", STUB_01_1, "return a - b")
    edit(repo / "tests/step01/test_calc.py", "def test_add", "def test_a_double_first(load):\n"
         "    assert load('01_calc', 'helpers').twice(1) == 3\n\n\ndef test_add")
    assert step_tests.main(1, "steps", repo) != 0
    assert "Step 1, TODO 01.2: double a number" in capsys.readouterr().out


def test_the_solutions_pass(repo, capsys):
    assert step_tests.main(1, "solutions", repo) == 0
    assert capsys.readouterr().out.strip().endswith("Step 1 passes all its tests against solutions.")


def test_no_tests_is_a_failure(repo, capsys):
    (repo / "tests/step02/test_greet.py").unlink()
    assert step_tests.main(2, "steps", repo) != 0
    assert "No tests ran for step 2: tests/step02 must hold test_*.py files." in capsys.readouterr().out


def test_a_target_that_is_no_folder_says_what_to_use(repo):
    with pytest.raises(SystemExit, match="TREE=solution is no folder: use steps"):
        step_tests.main(1, "solution", repo)


def test_a_step_with_no_stub_left_runs_in_parallel_and_names_its_earliest_failing_todo(repo, edit, capsys,
                                                                                     monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    edit(repo / "tests/step01/test_calc.py", "def test_add", "import pytest\n\n\n@pytest.mark.todo('01.1')\ndef test_add")
    edit(repo / "tests/step01/test_calc.py", "def test_double", "@pytest.mark.todo('01.2')\ndef test_double")
    edit(repo / "steps/01_calc/calc.py", STUB_01_1, "return a - b")
    edit(repo / "steps/01_calc/calc.py", 'raise NotImplementedError("TODO 01.2: double a number")', "return 3 * x")
    assert step_tests.main(1, "steps", repo) == step_tests.FAILED
    out = capsys.readouterr().out
    assert "bringing up nodes" in out, "no stub is left: the tests run in a process per core"
    assert out.strip().splitlines()[-2] == "Not there yet. Step 1, TODO 01.1: add two numbers"


SHARING_CONFTEST = """
import pytest

from workshop import ordering


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return ordering.one_worker_for({"test_a.py", "test_b.py"}, config, log)
"""
NOTING_ITS_WORKER = """
import os
from pathlib import Path


def test_it():
    with open(Path(__file__).parent / "workers.txt", "a") as noted:
        noted.write(f"{Path(__file__).name} {os.environ['PYTEST_XDIST_WORKER']}\\n")
"""


def test_the_files_that_share_a_session_fixture_run_in_one_worker(repo, write, monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    write(repo / "tests/step01/conftest.py", SHARING_CONFTEST)
    for name in ("test_a.py", "test_b.py", "test_c.py", "test_d.py"):
        write(repo / "tests/step01" / name, NOTING_ITS_WORKER)
    assert step_tests.main(1, "solutions", repo) == 0
    workers = dict(line.split() for line in (repo / "tests/step01/workers.txt").read_text().splitlines())
    assert len(set(workers.values())) == 2, "the run is parallel"
    assert workers["test_a.py"] == workers["test_b.py"], workers


def test_parallel_runs_take_a_process_per_core_up_to_four():
    assert step_tests.in_parallel(1) == []
    assert step_tests.in_parallel(2)[2:4] == ["-n", "2"]
    assert step_tests.in_parallel(16)[2:4] == ["-n", "4"]


FAILS_AT_ONCE = """
import pytest


@pytest.mark.todo("01.2")
def test_double(load):
    assert load("01_calc", "calc").double(4) == 8, "double the number"
"""
FAILS_LATER = """
import time

import pytest


@pytest.mark.todo("01.1")
def test_add(load):
    time.sleep(1.5)
    assert load("01_calc", "calc").add(2, 3) == 5, "add the two numbers"
"""


def test_a_parallel_run_shows_the_failure_of_the_earliest_todo_first(repo, write, edit, capsys, monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    (repo / "tests/step01/test_calc.py").unlink()
    write(repo / "tests/step01/test_a_double.py", FAILS_AT_ONCE)  # fails first, under the later TODO
    write(repo / "tests/step01/test_b_add.py", FAILS_LATER)
    edit(repo / "steps/01_calc/calc.py", STUB_01_1, "return a - b")
    edit(repo / "steps/01_calc/calc.py", 'raise NotImplementedError("TODO 01.2: double a number")', "return 3 * x")
    assert step_tests.main(1, "steps", repo) == step_tests.FAILED
    out = capsys.readouterr().out
    assert "bringing up nodes" in out
    failures = out[out.index("= FAILURES ="):]
    assert failures.index("add the two numbers") < failures.index("double the number"), failures
    summary = [line for line in failures.splitlines() if line.startswith("FAILED ")]
    assert [line.split("::")[1].split()[0] for line in summary] == ["test_add", "test_double"], summary


def test_earliest_first_orders_the_failures_and_their_summary_by_todo():
    output = ("..FF [100%]\n= FAILURES =\n___ test_b ___\nE  no\n--- TODO ---\nTODO 01.2 (double a number): no\n"
              "___ test_plumbing ___\nE  plumbing\n"
              "___ test_a ___\nE  no\n--- TODO ---\nTODO 01.1 (add two numbers): no\n"
              "= short test summary info =\nFAILED t.py::test_b - no\nFAILED t.py::test_plumbing - x\n"
              "FAILED t.py::test_a - no\n2 failed\n")
    ordered = step_tests.earliest_first(output)
    assert [line for line in ordered.splitlines() if line.startswith("___")] == [
        "___ test_a ___", "___ test_b ___", "___ test_plumbing ___"]
    assert [line for line in ordered.splitlines() if line.startswith("FAILED")] == [
        "FAILED t.py::test_a - no", "FAILED t.py::test_b - no", "FAILED t.py::test_plumbing - x"]
    assert step_tests.earliest_first("..\n2 passed\n") == "..\n2 passed\n"

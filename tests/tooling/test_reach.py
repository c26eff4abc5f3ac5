"""Which tests reach each TODO's code: measured per test and per fixture, and in the Pythons a test starts; a process
that cannot report (forked, or without the tests' PYTHONPATH) or a region run at import reaches every TODO; the
starter and variant checks then run only those tests."""
from workshop import manifest, reach, starter_check, variant_check

REACHING = '''\
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def five(load):
    return load("01_calc", "calc").add(2, 3)


def test_add(load):
    assert load("01_calc", "calc").add(2, 3) == 5


def test_add_through_a_fixture(five):
    assert five == 5


def test_double(load):
    assert load("01_calc", "calc").double(4) == 8


def test_helpers_alone(load):
    assert load("01_calc", "helpers").twice(3) == 6


def test_a_subprocess():
    assert subprocess.run([sys.executable, "-c", "pass"]).returncode == 0


GRANDCHILD = """
import subprocess, sys
subprocess.run([sys.executable, "-c", "import calc; calc.add(1, 2)"], check=True)
"""


def run_in_a_subprocess(request, code, env=None):
    calc = Path(request.config.getoption("--tree")).resolve() / "01_calc"
    done = subprocess.run([sys.executable, "-c", code], cwd=calc, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_tree_code_in_a_subprocess(request):
    run_in_a_subprocess(request, "import calc; assert calc.double(2) == 4")


def test_tree_code_in_a_grandchild(request):
    run_in_a_subprocess(request, GRANDCHILD)


def test_a_subprocess_that_forks(request):
    run_in_a_subprocess(request, "import os; pid = os.fork(); pid or os._exit(0); os.waitpid(pid, 0)")


def test_a_subprocess_that_ends_before_it_reports(request):
    run_in_a_subprocess(request, "import os; os._exit(0)")


def test_a_subprocess_without_the_tests_pythonpath(request):
    run_in_a_subprocess(request, "pass", env={"PATH": "/usr/bin:/bin"})
'''


def reached(repo):
    return {test.split("::")[1]: about["reaches"] for test, about in reach.tests(manifest.step(1, repo)).items()}


def test_each_test_reaches_the_todos_it_or_its_fixtures_run(repo, write):
    write(repo / "tests/step01/test_calc.py", REACHING)
    assert reached(repo) == {
        "test_add": ["01.1"],
        "test_add_through_a_fixture": ["01.1"],
        "test_double": ["01.2"],
        "test_helpers_alone": [],
        "test_a_subprocess": [],
        "test_tree_code_in_a_subprocess": ["01.2"],
        "test_tree_code_in_a_grandchild": ["01.1"],
        "test_a_subprocess_that_forks": ["01.1", "01.2"],  # what its copy runs is not measured
        "test_a_subprocess_that_ends_before_it_reports": ["01.1", "01.2"],
        "test_a_subprocess_without_the_tests_pythonpath": ["01.1", "01.2"],  # nor what runs without child_reach
    }


def test_a_region_run_at_import_is_reached_by_every_test(repo, edit, write):
    write(repo / "tests/step01/test_calc.py", REACHING)
    edit(repo / "solutions/01_calc/calc.py", '"""Arithmetic."""\n',
         '"""Arithmetic."""\n# BEGIN SOLUTION 01.2\nDOUBLE = 2\n# END SOLUTION\n')
    edit(repo / "solutions/01_calc/calc.py", "    # BEGIN SOLUTION 01.2\n    return twice(x)\n    # END SOLUTION\n",
         "    return twice(x)\n")
    assert set(reached(repo)["test_helpers_alone"]) == {"01.2"}


def test_the_checks_run_only_the_tests_that_reach_the_changed_code(repo, write, edit):
    write(repo / "tests/step01/test_calc.py", REACHING.replace("def test_double", "@pytest.mark.todo('01.2')\n"
                                                               "def test_double"))
    step = manifest.step(1, repo)
    jobs = {job.todo.id if job.todo else "starter": job.tests for job in starter_check._jobs(step, print)}
    assert [test.split("::")[1] for test in jobs["01.2"]] == ["test_double", "test_tree_code_in_a_subprocess",
                                                                 "test_a_subprocess_that_forks",
                                                                 "test_a_subprocess_that_ends_before_it_reports",
                                                                 "test_a_subprocess_without_the_tests_pythonpath"]
    assert len(jobs["starter"]) == 8, "the pristine starter: every test that reaches a TODO"
    variants = variant_check.tests_for(step.todo("01.2"), reach.tests(step))
    assert [test.split("::")[1] for test in variants] == ["test_double"], "tagged up to 01.2 and reaching it"


def test_what_is_reached_is_kept_until_the_solution_or_its_tests_change(repo, edit, capsys):
    step = manifest.step(1, repo)
    reach.tests(step)
    assert "to see which tests reach which TODO" in capsys.readouterr().out
    reach.tests(step)
    assert capsys.readouterr().out == ""
    edit(repo / "solutions/01_calc/helpers.py", "2 * x", "x + x")
    reach.tests(manifest.step(1, repo))
    assert "to see which tests reach which TODO" in capsys.readouterr().out

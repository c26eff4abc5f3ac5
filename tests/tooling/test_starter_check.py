"""The starter check: a TODO that no test notices is an error naming it; clean results are kept and reused."""
from workshop import starter_check


def test_each_todo_is_caught_by_a_named_test_and_the_answer_is_kept(repo, edit, capsys):
    sources = {path: path.read_bytes() for path in sorted(repo.rglob("*.py"))}
    assert starter_check.check(repo) == 0
    out = capsys.readouterr().out
    assert "step 1: TODO 01.1 makes tests/step01/test_calc.py::test_add fail." in out
    assert "step 1: TODO 01.2 makes tests/step01/test_calc.py::test_double fail." in out
    assert {path: path.read_bytes() for path in sorted(repo.rglob("*.py"))} == sources, "the copies leaked"

    assert starter_check.check(repo) == 0
    assert capsys.readouterr().out.splitlines() == [
        "step 1: each of its 2 TODOs makes a test fail (unchanged since the last check).",
        "step 2: each of its 1 TODOs makes a test fail (unchanged since the last check).",
    ]
    edit(repo / "tests/step02/test_greet.py", '"Hello, Ada!"', '"Hello, Ada!"  # changed')
    assert starter_check.check(repo) == 0
    out = capsys.readouterr().out
    assert "step 2: TODO 02.1 makes tests/step02/test_greet.py::test_hello fail." in out
    assert "step 1: each of its 2 TODOs makes a test fail (unchanged since the last check)." in out


def test_a_todo_no_test_checks_is_named(repo, edit, capsys):
    edit(repo / "tests/step01/test_calc.py", 'assert load("01_calc", "calc").double(4) == 8', "assert True")
    assert starter_check.check(repo, step_numbers={1}) == 1
    assert ("TODO 01.2 (double a number) is checked by no test: with only its region stubbed, every test in "
            "tests/step01 passes. Add a test that fails without it.") in capsys.readouterr().out


def test_a_pristine_starter_that_passes_its_tests_is_an_error(repo, write, capsys):
    # Fails when exactly one of the two is stubbed, so each TODO alone is caught, yet the starter passes.
    write(repo / "tests/step01/test_calc.py", """\
def test_add_and_double_are_both_done_or_both_left(load):
    calc = load("01_calc", "calc")
    stubbed = 0
    for call in (lambda: calc.add(1, 2), lambda: calc.double(2)):
        try:
            call()
        except NotImplementedError:
            stubbed += 1
    assert stubbed != 1
""")
    assert starter_check.check(repo, step_numbers={1}) == 1
    out = capsys.readouterr().out
    assert "the pristine starter of step 1 passes all its tests: a starter must leave the step's tests failing." in out
    assert "checked by no test" not in out


def test_the_catching_test_is_read_from_the_summary_not_from_captured_logs():
    output = ("ERROR    bot:app.py:1944 Caught exception for path /twitter/webhook\n"
              "FAILED tests/step04/test_app.py::test_crc[a token] - KeyError: 'x'\n")
    assert starter_check.FAILED.search(output)[1] == "tests/step04/test_app.py::test_crc[a token]"

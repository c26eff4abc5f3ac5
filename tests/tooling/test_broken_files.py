"""A step file that does not import is named with its file and line by test-step, watch-step and hint-step, before
any TODO is blamed for it; the f-strings only Python 3.12 takes are said to be that."""
import pytest

from workshop import hint_step, manifest, step_tests, watch

CALC = "steps/01_calc/calc.py"
STUB_01_1 = 'raise NotImplementedError("TODO 01.1: add two numbers")'
BROKEN = [
    pytest.param('return f"{"+".join(["a", "b"])}"', "SyntaxError", True, id="the f-string's own quote in braces"),
    pytest.param("return f\"{'\\\\n'.join(['a', 'b'])}\"", "SyntaxError", True, id="a backslash in braces"),
    pytest.param("return a +* b", "SyntaxError: invalid syntax", False, id="a plain syntax error"),
]


def lines_of(text):
    return [line.strip() for line in text.strip().splitlines()]


@pytest.mark.parametrize("fill, error, py312", BROKEN)
def test_a_syntax_error_is_named_with_its_file_and_line_and_no_todo(repo, edit, capsys, fill, error, py312):
    edit(repo / CALC, STUB_01_1, fill)
    assert step_tests.main(1, "steps", repo) == step_tests.FAILED
    said = capsys.readouterr().out
    lines = lines_of(said)
    assert lines[0] == f"{CALC}, line 6, does not import:", said
    assert lines[1].startswith(error) and lines[2] == fill, "Python's message in two lines: the error, the line"
    assert ("valid only from Python 3.12" in said) is py312, said
    assert lines[-1].startswith("Fix that first"), said
    assert "TODO 01.1" not in said and "passed" not in said, "no test ran, and no TODO is blamed"


def test_an_error_at_import_is_named_with_its_file_and_line(repo, edit, capsys):
    edit(repo / CALC, "from helpers import twice", "from helpers import twice\nLIMIT = MAXIMUM + 1")
    edit(repo / CALC, STUB_01_1, "return a + b")
    assert step_tests.main(1, "steps", repo) == step_tests.FAILED
    said = capsys.readouterr().out.strip().split("\n\n")[-1]
    assert lines_of(said) == [
        f"{CALC}, line 3, does not import:", "NameError: name 'MAXIMUM' is not defined", "LIMIT = MAXIMUM + 1",
        "Fix that first: every test of step 1 that loads this file fails the same way."], said
    hint_step.main(1, repo)
    assert lines_of(capsys.readouterr().out)[0] == f"{CALC}, line 3, does not import:", "hint-step says the same"


def test_an_import_error_is_named_too(repo, edit, capsys):
    edit(repo / CALC, "from helpers import twice", "from helpers import twice, thrice")
    assert step_tests.main(1, "steps", repo) == step_tests.FAILED
    said = capsys.readouterr().out.strip().split("\n\n")[-1]
    assert lines_of(said)[:3] == [f"{CALC}, line 2, does not import:",
                                  "ImportError: cannot import name 'thrice' from 'helpers' (" + str(
                                      repo / "steps/01_calc/helpers.py") + ")", "from helpers import twice, thrice"]


@pytest.mark.parametrize("fill, where", [('return f"{"+".join(["a", "b"])}"', 6), ("return add(", 6)])
def test_watch_step_names_the_file_that_does_not_import(repo, edit, fill, where):
    edit(repo / CALC, STUB_01_1, fill)
    step = manifest.step(1, repo)
    shown = watch.screen(step, repo / "steps/01_calc", watch.run_tests(step, repo / "steps/01_calc"))
    assert f"{CALC}, line {where}, does not import:" in shown and "Fix that first" in shown, shown
    assert "TODO 01.1" not in shown and "TODOs passing" not in shown, shown


def test_watch_step_names_an_error_at_import(repo, edit):
    edit(repo / CALC, "from helpers import twice", "from helpers import twice\nLIMIT = MAXIMUM + 1")
    step = manifest.step(1, repo)
    shown = watch.screen(step, repo / "steps/01_calc", watch.run_tests(step, repo / "steps/01_calc"))
    assert f"{CALC}, line 3, does not import:\n    NameError: name 'MAXIMUM' is not defined" in shown, shown


def test_watch_step_stops_at_the_first_failure_as_test_step_does(repo, edit):
    edit(repo / "tests/step01/test_calc.py", "def test_add", "def test_first(load):\n    assert False\n\n\n"
         "def test_add")
    step = manifest.step(1, repo)
    result = watch.run_tests(step, repo / "steps/01_calc")
    assert result.tests == 1 and [failure["test"] for failure in result.failures] == [
        "tests/step01/test_calc.py::test_first"], "the tests after the first failure do not run"


@pytest.mark.parametrize(
    "environ, release, folder, polls",
    [({"WATCH_POLL": "1"}, "6.8.0-generic", "/home/me/whereml", True),
     ({}, "5.15.167.4-microsoft-standard-WSL2", "/mnt/c/Users/me/whereml", True),
     ({}, "5.15.167.4-microsoft-standard-WSL2", "/home/me/whereml", False),
     ({}, "6.8.0-generic", "/mnt/c/whereml", False), ({"WATCH_POLL": "0"}, "6.8.0-generic", "/home/me", False)],
    ids=["WATCH_POLL=1", "WSL2 under /mnt/c", "WSL2 in Linux's own files", "Linux with a /mnt", "WATCH_POLL=0"],
)
def test_watch_step_polls_where_file_events_do_not_arrive(environ, release, folder, polls):
    assert bool(watch.polling_reason(folder, environ, release)) is polls


def test_a_polling_watch_says_so(repo, monkeypatch):
    import threading

    monkeypatch.setenv("WATCH_POLL", "1")
    stop, said = threading.Event(), []
    stop.set()  # one run, then the watch ends
    watch.main(1, "steps", repo, said.append, stop)
    assert "(Watching by polling the files every 0.5 s: WATCH_POLL=1.)" in said[-1], said

"""The `todo` marker: ids checked against workshop.toml, tests in TODO order, failures that name their TODO."""
import ast

import pytest

from workshop import manifest, step_tests, todo_marks
from workshop.paths import ROOT

TAGGED = '''\
import pytest


def test_plumbing(load):
    assert load("01_calc", "helpers").twice(1) == 2, "twice doubles"


@pytest.mark.todo("01.2")
def test_double(load):
    assert load("01_calc", "calc").double(4) == 8, "double(4) is 8: use twice"


@pytest.mark.todo("01.1")
def test_add(load):
    assert load("01_calc", "calc").add(2, 3) == 5, "add(2, 3) is 5: use +"
'''


def collected(repo, number=1, tree="solutions"):
    code, output = step_tests.run(manifest.step(number, repo), repo / tree, "--collect-only", "-q")
    return code, [line for line in output.splitlines() if "::" in line]


def test_tests_run_in_todo_order_with_plumbing_last(repo, write):
    write(repo / "tests/step01/test_calc.py", TAGGED)
    write(repo / "tests/step01/test_a_helpers.py", "def test_twice(load):\n    assert True\n")
    assert collected(repo)[1] == [
        "tests/step01/test_calc.py::test_add", "tests/step01/test_calc.py::test_double",
        "tests/step01/test_a_helpers.py::test_twice", "tests/step01/test_calc.py::test_plumbing",
    ]


def test_an_unknown_todo_id_is_a_collection_error_naming_the_test(repo, write, edit):
    write(repo / "tests/step01/test_calc.py", TAGGED.replace('todo("01.2")', 'todo("01.9")'))
    code, output = step_tests.run(manifest.step(1, repo), repo / "solutions", "-q")
    assert code == 4
    assert ("tests/step01/test_calc.py::test_double: @pytest.mark.todo('01.9') names no TODO of workshop.toml: use "
            "one of 01.1, 01.2.") in output


def test_a_todo_of_another_step_is_refused(repo, write):
    write(repo / "tests/step01/test_calc.py", TAGGED.replace('todo("01.2")', 'todo("02.1")'))
    code, output = step_tests.run(manifest.step(1, repo), repo / "solutions", "-q")
    assert code == 4
    assert "tests/step01/test_calc.py::test_double: is tagged with TODO 02.1, which belongs to step 2" in output


def test_a_wrong_fill_is_named_by_the_marker_of_the_failing_test(repo, write, edit, capsys):
    write(repo / "tests/step01/test_calc.py", TAGGED)
    edit(repo / "steps/01_calc/calc.py", 'raise NotImplementedError("TODO 01.1: add two numbers")', "return a + b")
    edit(repo / "steps/01_calc/calc.py", 'raise NotImplementedError("TODO 01.2: double a number")', "return x + 2")
    assert step_tests.main(1, "steps", repo) == 1
    out = capsys.readouterr().out
    assert "TODO 01.2 (double a number): double(4) is 8: use twice" in out.splitlines()
    assert out.strip().splitlines()[-2] == "Not there yet. Step 1, TODO 01.2: double a number"


def test_a_stub_the_test_ran_into_is_named_whatever_the_marker(repo, write, capsys):
    write(repo / "tests/step01/test_calc.py", TAGGED.replace('todo("01.2")', 'todo("01.1")'))  # double's test first
    assert step_tests.main(1, "steps", repo) == 1
    out = capsys.readouterr().out
    assert ("TODO 01.2 (double a number): its stub is still there (NotImplementedError): write the code of this "
            "TODO") in out.splitlines()
    assert out.strip().splitlines()[-2] == "Not there yet. Step 1, TODO 01.2: double a number"


def test_a_failing_test_without_a_marker_says_it_checks_plumbing(repo, write, edit, capsys):
    write(repo / "tests/step01/test_calc.py", TAGGED)
    for todo_id, code in (("01.1: add two numbers", "return a + b"), ("01.2: double a number", "return twice(x)")):
        edit(repo / "steps/01_calc/calc.py", f'raise NotImplementedError("TODO {todo_id}")', code)
    edit(repo / "steps/01_calc/helpers.py", "return 2 * x", "return 2 * x if x > 1 else x")
    assert step_tests.main(1, "steps", repo) == 1
    out = capsys.readouterr().out
    assert "No TODO: this test checks the plumbing outside the TODO regions: twice doubles" in out
    assert "fails a test (above) that checks the plumbing outside the TODOs, and no TODO stub is left" in out


def test_a_failure_that_starts_with_a_todo_id_names_that_todo(repo, write):
    # Plumbing that cannot use a TODO's answer (metrics.py given geo_accuracy's) says whose answer it was.
    write(repo / "tests/step01/test_calc.py", TAGGED.replace(
        'assert load("01_calc", "calc").add(2, 3) == 5, "add(2, 3) is 5: use +"',
        'pytest.fail("TODO 01.2: double answered a string")'))
    code, output = step_tests.run(manifest.step(1, repo), repo / "solutions", "-q", "-x")
    assert code == step_tests.FAILED
    assert "TODO 01.2 (double a number): double answered a string" in output, output


@pytest.mark.parametrize("tags, imported", [
    ("", False), ('@pytest.mark.todo("01.2")\n', False), ('@pytest.mark.todo("01.2", "01.1")\n', True),
], ids=["no tag", "a later TODO's tag", "also the TODO's own tag"])
def test_with_todos_up_to_a_file_with_no_test_of_them_is_not_even_imported(repo, write, tags, imported):
    """Its tests would all be deselected; importing the steps' other files (the SDK, moto, MXNet) is most of what each
    copy of `make check-workshop` would wait for."""
    write(repo / "tests/step01/test_calc.py", TAGGED)
    write(repo / "tests/step01/test_heavy.py", f"import pytest\n\nraise RuntimeError('imported')\n\n\n{tags}"
                                                "def test_heavy():\n    pass\n")
    code, output = step_tests.run(manifest.step(1, repo), repo / "solutions", "--collect-only", "-q",
                                  "--todos-up-to", "01.1")
    assert ("RuntimeError: imported" in output) == imported, output
    assert "tests/step01/test_calc.py::test_add" in output and "test_double" not in output


def test_with_todos_up_to_a_file_that_does_not_parse_is_reported_as_any_collection_error(repo, write):
    write(repo / "tests/step01/test_calc.py", TAGGED)
    write(repo / "tests/step01/test_broken.py", "def test_broken(:\n    pass\n")
    code, output = step_tests.run(manifest.step(1, repo), repo / "solutions", "-q", "--todos-up-to", "01.1")
    assert code == 2 and "ERROR collecting tests/step01/test_broken.py" in output, output
    assert "INTERNALERROR" not in output


def test_every_todo_tag_is_written_where_todos_up_to_reads_it():
    """pytest_ignore_collect reads a file's tags from its text: each must be a string in a call of
    pytest.mark.todo in the test file that holds the test, not built elsewhere or from a variable."""
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tags = todo_marks.tags_in(path)
        where = path.relative_to(ROOT)
        assert None not in tags, f"{where}: write each pytest.mark.todo id as a string, e.g. todo(\"03.2\")"
        assert not tags or path.name.startswith("test_"), f"{where}: tag tests in their own test_*.py file"
        nodes = list(ast.walk(ast.parse(path.read_bytes())))
        marks = sum(1 for node in nodes if todo_marks.is_todo_mark(node))
        calls = sum(1 for node in nodes if isinstance(node, ast.Call) and todo_marks.is_todo_mark(node.func))
        assert marks == calls, f"{where}: tag with a call, @pytest.mark.todo(\"03.2\"), not a name bound to the mark"

"""`make check-workshop`: each TODO's stub and each wrong variant must make a test of its own TODO fail first, every
TODO needs MIN_VARIANTS variants, and steps/ must be generated; each broken promise is named."""
import pytest

from workshop import check_workshop
from workshop.__main__ import main as cli
from workshop.check_workshop import MIN_VARIANTS

TAGGED = '''\
import pytest


@pytest.mark.todo("01.1")
def test_add(load):
    calc = load("01_calc", "calc")
    assert calc.add(2, 3) == 5 and calc.add(-2, 3) == 1, "add returns the sum"


@pytest.mark.todo("01.2")
def test_double(load):
    assert load("01_calc", "calc").double(4) == 8
'''
ADD_VARIANTS = [("subtracts", "return a - b"), ("multiplies", "return a * b"), ("forgets a", "return b + b"),
                ("adds one", "return a + b + 1"), ("drops the sign of a", "return abs(a) + b")][:MIN_VARIANTS]
DOUBLE_VARIANTS = [("squares", "return x * x"), ("adds one", "return twice(x) + 1"), ("halves", "return x / 2"),
                   ("adds two", "return x + 2"), ("takes one", "return twice(x) - 1")][:MIN_VARIANTS]


def with_variants(repo, todo_id, variants):
    """Add [[variants]] tables for `todo_id` to the repository's variants.toml."""
    tables = "".join(f"\n[[variants]]\ntodo = {todo_id!r}\nmistake = {mistake!r}\ncode = '''\n{code}\n'''\n"
                     for mistake, code in variants)
    with open(repo / "variants.toml", "a") as file:
        file.write(tables)


@pytest.fixture
def tagged(repo, write):
    write(repo / "tests/step01/test_calc.py", TAGGED)
    with_variants(repo, "01.1", ADD_VARIANTS)
    with_variants(repo, "01.2", DOUBLE_VARIANTS)
    return repo


def test_every_stub_and_variant_caught_by_its_todo_passes_and_leaves_the_tree_as_it_was(tagged, capsys):
    sources = {path: path.read_bytes() for path in sorted(tagged.rglob("*.py"))}
    assert check_workshop.check(tagged, step_numbers={1}) == 0
    out = capsys.readouterr().out
    assert "step 1: TODO 01.1 (add two numbers), its stub makes tests/step01/test_calc.py::test_add fail first" in out
    assert ("step 1: TODO 01.2 (double a number), wrong variant 1 (squares) makes tests/step01/test_calc.py::"
            "test_double fail first") in out
    assert "make check-workshop passed" in out
    assert {path: path.read_bytes() for path in sorted(tagged.rglob("*.py"))} == sources, "the copies leaked"


def test_a_stub_no_test_notices_fails_naming_its_todo(tagged, edit, capsys):
    edit(tagged / "tests/step01/test_calc.py", 'assert load("01_calc", "calc").double(4) == 8', "assert True")
    assert check_workshop.check(tagged, step_numbers={1}, todo_id="01.2") == 1
    assert ("TODO 01.2 (double a number), its stub: no test notices it: with it in place, every test in tests/step01 "
            "tagged with TODO 01.2 or an earlier one passes.") in capsys.readouterr().out


def test_a_variant_no_test_notices_fails_naming_the_todo_and_the_mistake(tagged, edit, capsys):
    edit(tagged / "tests/step01/test_calc.py", " and calc.add(-2, 3) == 1", " and calc.add(0, 0) == 0")
    with_variants(tagged, "01.1", [("drops the sign of a", "return abs(a) + b")])
    assert cli(["--root", str(tagged), "check-workshop", "1", "--todo", "01.1"]) == 1
    assert (f"TODO 01.1 (add two numbers), wrong variant {MIN_VARIANTS + 1} (drops the sign of a): no test notices "
            "it: with it in place, every test in tests/step01 tagged with TODO 01.1 or an earlier one passes. Add a "
            "test tagged @pytest.mark.todo(\"01.1\") that fails on it") in capsys.readouterr().out


def test_a_variant_caught_first_by_a_test_of_another_todo_is_reported(tagged, write, capsys):
    write(tagged / "tests/step01/test_sums.py", 'import pytest\n\n\n@pytest.mark.todo("01.1")\n'
          'def test_add_doubles(load):\n    calc = load("01_calc", "calc")\n'
          '    assert calc.add(calc.double(1), 1) == 3\n')
    assert check_workshop.check(tagged, step_numbers={1}, todo_id="01.2") == 1
    assert ("TODO 01.2 (double a number), wrong variant 2 (adds one): the first test to fail, "
            "tests/step01/test_sums.py::test_add_doubles, names TODO 01.1 (add two numbers), so `make test-step 1` "
            "would send a participant there.") in capsys.readouterr().out


def test_only_the_tests_of_todos_up_to_the_copys_run(tagged, write, capsys):
    """A test of a later TODO that would fail on the copy must not run: the copy's own TODO is what must fail."""
    write(tagged / "tests/step01/test_later.py", 'import pytest\n\n\n@pytest.mark.todo("01.2")\n'
          'def test_double_after_add(load):\n    calc = load("01_calc", "calc")\n'
          '    assert calc.double(calc.add(-1, 3)) == 4\n')
    edit_out = " and calc.add(-2, 3) == 1"
    (tagged / "tests/step01/test_calc.py").write_text(TAGGED.replace(edit_out, ""))
    with_variants(tagged, "01.1", [("drops the sign of a", "return abs(a) + b")])
    assert check_workshop.check(tagged, step_numbers={1}, todo_id="01.1") == 1
    assert "wrong variant 4 (drops the sign of a): no test notices it" in capsys.readouterr().out


def test_every_todo_needs_enough_variants(repo, capsys):
    with_variants(repo, "02.1", [("no comma", 'return f"Hello {name}!"')] * (MIN_VARIANTS - 1))
    assert check_workshop.check(repo, step_numbers={2}) == 1
    assert (f"TODO 02.1 (say hello to someone) has {MIN_VARIANTS - 1} wrong variant(s) in variants.toml: every TODO "
            f"needs at least {MIN_VARIANTS}") in capsys.readouterr().out


@pytest.mark.parametrize(
    "code, problem",
    [
        ("return a + b", "its code is the solution of solutions/01_calc/calc.py:6: write the mistake."),
        ("return a +", "is not valid Python in place of solutions/01_calc/calc.py:6 (invalid syntax"),
        ("total = a\n    return total + b", "is not valid Python in place of solutions/01_calc/calc.py:6 (unexpected "
         "indent"),
        ("", "variants.toml: TODO 01.1, wrong variant 1, has an empty code: write the wrong region."),
    ],
    ids=["the solution itself", "broken syntax", "indented", "empty"],
)
def test_a_bad_variant_is_an_error_naming_its_todo(repo, capsys, code, problem):
    with_variants(repo, "01.1", [("a mistake", code)])
    assert check_workshop.check(repo, step_numbers={1}) == 1
    assert problem in capsys.readouterr().out


def test_a_todo_no_test_is_tagged_with_says_so(repo, capsys):
    with_variants(repo, "01.1", ADD_VARIANTS)
    assert check_workshop.check(repo, step_numbers={1}, todo_id="01.1") == 1
    assert ("TODO 01.1 (add two numbers), its stub: no test in tests/step01 is tagged with TODO 01.1 or an earlier "
            "one: tag the tests that check it") in capsys.readouterr().out


def test_a_stale_starter_fails_the_check(tagged, edit, capsys):
    edit(tagged / "steps/01_calc/helpers.py", "2 * x", "x + x")
    assert check_workshop.check(tagged, step_numbers={1}, todo_id="01.1") == 1
    assert "steps/01_calc/helpers.py" in capsys.readouterr().out


def test_an_unknown_todo_says_where_the_ids_are(repo):
    with pytest.raises(SystemExit, match="workshop.toml has no TODO 09.9 \\(in the steps asked for\\)"):
        cli(["--root", str(repo), "check-workshop", "--todo", "09.9"])


def test_the_catching_test_is_read_from_the_summary_not_from_captured_logs():
    output = ("ERROR    bot:app.py:1944 Caught exception for path /twitter/webhook\n"
              "FAILED tests/step04/test_app.py::test_crc[a token] - KeyError: 'x'\n")
    assert check_workshop.FAILED.search(output)[1] == "tests/step04/test_app.py::test_crc[a token]"

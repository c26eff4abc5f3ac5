"""The variant check: each wrong variant must make a test of its own TODO fail first; >= 3 per TODO; kept results."""
import pytest

from workshop import manifest, results, variant_check
from workshop.__main__ import main as cli

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
ADD_VARIANTS = [("subtracts", "return a - b"), ("multiplies", "return a * b"), ("forgets a", "return b + b")]
DOUBLE_VARIANTS = [("squares", "return x * x"), ("adds one", "return twice(x) + 1"), ("halves", "return x / 2")]


def with_variants(repo, todo_id, variants):
    """Add [[variants]] tables for `todo_id` to the repository's variants.toml."""
    tables = "".join(f"\n[[variants]]\ntodo = {todo_id!r}\nmistake = {mistake!r}\ncode = '''\n{code}\n'''\n"
                     for mistake, code in variants)
    with open(repo / "variants.toml", "a") as file:
        file.write(tables)


@pytest.fixture
def tagged(repo, write, edit):
    write(repo / "tests/step01/test_calc.py", TAGGED)
    with_variants(repo, "01.1", ADD_VARIANTS)
    with_variants(repo, "01.2", DOUBLE_VARIANTS)
    return repo


def test_every_variant_caught_by_its_todo_passes_and_the_answer_is_kept(tagged, edit, capsys):
    assert variant_check.check(tagged, step_numbers={1}) == 0
    out = capsys.readouterr().out
    assert "step 1: TODO 01.1, wrong variant 1, makes tests/step01/test_calc.py::test_add fail (" in out
    assert "step 1: TODO 01.2, wrong variant 3, makes tests/step01/test_calc.py::test_double fail (" in out
    assert variant_check.check(tagged, step_numbers={1}) == 0
    assert capsys.readouterr().out == ("step 1: each of its 6 wrong variants makes a test of its TODO fail first "
                                       "(unchanged since the last check).\n")
    edit(tagged / "tests/step01/test_calc.py", "== 8", "== 8, 'double(4) is 8'")
    step = manifest.step(1, tagged)
    assert results.kept(step, variant_check.CHECK, variant_check.key(step)) is None, "a changed test is checked again"


def test_a_variant_no_test_notices_fails_naming_the_todo_and_the_mistake(tagged, edit, capsys):
    edit(tagged / "variants.toml", "return a * b", "return abs(a) + b")
    edit(tagged / "variants.toml", "mistake = 'multiplies'", "mistake = 'drops the sign of a'")
    edit(tagged / "tests/step01/test_calc.py", " and calc.add(-2, 3) == 1", "")
    assert cli(["--root", str(tagged), "variant-check", "1", "--todo", "01.1"]) == 1
    assert ("TODO 01.1 (add two numbers), wrong variant 2 (drops the sign of a): no test notices it: with it in place, "
            "every test in tests/step01 tagged with TODO 01.1 or an earlier one passes. Add a test tagged "
            "@pytest.mark.todo(\"01.1\") that fails on this mistake") in capsys.readouterr().out


def test_a_variant_caught_first_by_a_test_of_another_todo_is_reported(tagged, write, capsys):
    write(tagged / "tests/step01/test_sums.py", 'import pytest\n\n\n@pytest.mark.todo("01.1")\n'
          'def test_add_doubles(load):\n    calc = load("01_calc", "calc")\n'
          '    assert calc.add(calc.double(1), 1) == 3\n')
    assert variant_check.check(tagged, step_numbers={1}, todo_id="01.2") == 1
    assert ("TODO 01.2 (double a number), wrong variant 2 (adds one): the first test to fail, "
            "tests/step01/test_sums.py::test_add_doubles, names TODO 01.1 (add two numbers), so `make test-step 1` "
            "would send a participant there.") in capsys.readouterr().out


def test_every_todo_needs_three_variants(repo, edit, capsys):
    with_variants(repo, "02.1", [("no comma", 'return f"Hello {name}!"'),
                                                       ("no name", 'return "Hello, !"')])
    assert variant_check.check(repo, step_numbers={2}) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "TODO 02.1 (say hello to someone) has 2 wrong variant(s) in variants.toml: every TODO needs at least 3 "
        "(MAINTAINING.md, \"Wrong variants\").")


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
def test_a_bad_variant_is_a_manifest_error_naming_its_todo(repo, edit, capsys, code, problem):
    with_variants(repo, "01.1", [("a mistake", code)])
    assert variant_check.check(repo, step_numbers={1}) == 1
    assert problem in capsys.readouterr().out


def test_variants_of_a_todo_no_test_is_tagged_with_say_so(repo, edit, capsys):
    with_variants(repo, "01.1", ADD_VARIANTS)
    assert variant_check.check(repo, step_numbers={1}, todo_id="01.1") == 1
    assert ("TODO 01.1 (add two numbers), wrong variant 1 (subtracts): no test in tests/step01 tagged with TODO "
            "01.1 or an earlier one runs its code: tag the tests that check it") in capsys.readouterr().out

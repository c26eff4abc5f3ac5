"""`make hint-step N`: the hint of exactly the TODO `make test-step N` names, or word that the step passes."""
import pytest

from workshop import check_workshop, hint_step, hints, manifest, readme, step_tests
from workshop.paths import ROOT

STUB_01_1 = 'raise NotImplementedError("TODO 01.1: add two numbers")'
STUB_01_2 = 'raise NotImplementedError("TODO 01.2: double a number")'


def test_the_first_todo_left_is_described_with_its_hint(repo, capsys):
    hint_step.main(1, repo)
    assert capsys.readouterr().out.splitlines() == [
        "(Running the tests of step 1 to see where `make test-step 1` stops ...)",
        "Step 1, TODO 01.1: add two numbers", "Hint 1 of 3 (a nudge): Python has an operator for it.",
        "(2 more levels: run `make hint-step 1` again.)",
        "(Stubs still open after this one: 01.2.)"]


def test_a_solved_todo_is_skipped(repo, edit, capsys):
    edit(repo / "steps/01_calc/calc.py", STUB_01_1, "return a + b")
    hint_step.main(1, repo)
    assert "Step 1, TODO 01.2: double a number\nHint 1 of 1: helpers.py already knows how." in capsys.readouterr().out


def test_a_wrong_fill_is_hinted_by_the_marker_of_the_test_it_fails(repo, edit, capsys):
    edit(repo / "tests/step01/test_calc.py", "def test_double", "@pytest.mark.todo('01.2')\ndef test_double")
    edit(repo / "tests/step01/test_calc.py", "def test_add", "import pytest\n\n\n@pytest.mark.todo('01.1')\n"
         "def test_add")
    edit(repo / "steps/01_calc/calc.py", STUB_01_1, "return a + b")
    edit(repo / "steps/01_calc/calc.py", STUB_01_2, "return x + 2")
    hint_step.main(1, repo)
    assert capsys.readouterr().out.splitlines()[1:3] == [
        "Step 1, TODO 01.2: double a number", "Hint 1 of 1: helpers.py already knows how."]


def test_a_step_that_passes_says_so(repo, edit, capsys):
    edit(repo / "steps/02_greet/greet.py", 'raise NotImplementedError("TODO 02.1: say hello to someone")',
         'return f"Hello, {name}!"')
    hint_step.main(2, repo)
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == "Step 2 passes all its tests: no hint needed. On to the next step!"


def test_hint_step_names_what_test_step_named_without_running_the_tests_again(repo, write, capsys, monkeypatch):
    # 01.2's test comes first, so test-step names 01.2 while 01.1 is the first stub in manifest order.
    write(repo / "tests/step01/test_calc.py", 'def test_double(load):\n'
          '    assert load("01_calc", "calc").double(4) == 8\n\n\n'
          'def test_add(load):\n    assert load("01_calc", "calc").add(2, 3) == 5\n')
    assert step_tests.main(1, "steps", repo) != 0
    named = capsys.readouterr().out.splitlines()[-2]
    monkeypatch.setattr(step_tests, "run", lambda *args, **kwargs: (_ for _ in ()).throw(AssertionError("ran")))
    hint_step.main(1, repo)
    hinted = capsys.readouterr().out.splitlines()[0]
    assert named == "Not there yet. Step 1, TODO 01.2: double a number"
    assert hinted == "Step 1, TODO 01.2: double a number"


def test_the_stub_a_test_ran_into_wins_over_a_todo_its_source_mentions(repo):
    output = ('    """Needs TODO 01.1 done first."""\nE   NotImplementedError: TODO 01.2: double a number\n'
              "TODO 01.1 (add two numbers): its stub is still there\n")
    assert [todo.id for todo in hints.failing_todos(manifest.step(1, repo), output)] == ["01.2"]


def test_a_test_of_two_todos_names_both(repo):
    output = "E   assert 3 == 4\nTODO 01.1 (add two numbers) or TODO 01.2 (double a number): assert 3 == 4\n"
    assert [todo.id for todo in hints.named_todos(manifest.step(1, repo), output)] == ["01.1", "01.2"]


def test_a_run_that_could_not_start_is_not_kept_for_hint_step(repo, edit, capsys):
    edit(repo / "tests/step01/test_calc.py", "def test_add", "import pytest\n\n\n@pytest.mark.todo('09.9')\n"
         "def test_add")
    assert step_tests.main(1, "steps", repo) == 4
    assert "The tests of step 1 could not run (pytest exit 4, above)" in capsys.readouterr().out
    hint_step.main(1, repo)
    assert capsys.readouterr().out.splitlines() == [
        "(Running the tests of step 1 to see where `make test-step 1` stops ...)",
        "The tests of step 1 could not run: `make test-step 1` shows why."]


def test_of_several_failures_the_earliest_todo_is_named(repo):
    output = ("TODO 01.2 (double a number): assert 12 == 8\n"
              "No TODO: this test checks the plumbing outside the TODO regions: assert False\n"
              "TODO 01.1 (add two numbers): assert -1 == 5\n")
    assert [todo.id for todo in hints.named_todos(manifest.step(1, repo), output)] == ["01.1"], (
        "tests that ran in parallel failed out of TODO order: name the earliest TODO"
    )


def test_each_run_shows_the_next_level_and_says_how_many_are_left(repo, capsys):
    shown = []
    for _ in range(4):
        hint_step.main(1, repo)
        shown.append([line for line in capsys.readouterr().out.splitlines() if line.startswith(("Hint", "("))][-3:])
    assert [lines[0].split(":")[0] for lines in shown] == [
        "Hint 1 of 3 (a nudge)", "Hint 2 of 3 (where to look)", "Hint 3 of 3 (the code)", "Hint 3 of 3 (the code)"]
    assert shown[1][1] == "(1 more level: run `make hint-step 1` again.)"
    assert shown[2][1] == "(That was the last level: `make diff-step 1 TODO=01.1` shows the solution of this TODO.)"


def test_level_shows_that_level_and_an_unknown_one_says_which_exist(repo, capsys):
    hint_step.main(1, repo, level=3)
    assert "Hint 3 of 3 (the code): Return the sum: return a + b" in capsys.readouterr().out
    assert hints.shown(manifest.step(1, repo)) == {"01.1": 3}
    with pytest.raises(SystemExit, match="TODO 01.1 has hint levels 1 to 3: LEVEL=4 is none of them."):
        hint_step.main(1, repo, level=4)


def test_the_levels_shown_are_kept_per_todo(repo, edit, capsys):
    hint_step.main(1, repo)
    hint_step.main(1, repo)
    edit(repo / "steps/01_calc/calc.py", STUB_01_1, "return a + b")
    hint_step.main(1, repo)
    assert hints.used(manifest.steps(repo)) == ["01.1 (2 of 3)", "01.2 (1 of 1)"]


def test_the_readme_and_test_step_show_the_first_level_only(repo):
    step = manifest.step(1, repo)
    block = readme.todo_block(step)
    assert "Python has an operator for it." in block and "docs.python.org" not in block and "a + b" not in block
    assert hints.describe(step, step.todo("01.1")).endswith("Python has an operator for it. (more: `make hint-step 1`)")


def test_a_first_hint_that_holds_a_line_of_the_solution_is_a_problem(repo, edit):
    step = manifest.step(1, repo)
    assert hints.giveaways(step) == []
    edit(repo / "workshop.toml", '"Python has an operator for it."', '"Python has an operator: return   a + b."')
    step = manifest.step(1, repo)
    assert hints.giveaways(step) == [
        "TODO 01.1: its first hint holds a line of the solution ('return a + b'): say what to think about there, "
        "and keep the code for the last level of `hints` in workshop.toml."]
    assert any("its first hint holds a line" in line for line in check_workshop.problems(repo, [step]))


def test_no_first_hint_of_the_workshop_gives_its_solution_away():
    assert [line for step in manifest.steps(ROOT) for line in hints.giveaways(step)] == []


def test_every_todo_of_the_workshop_has_three_levels_of_hints_the_second_with_a_docs_link():
    for step in manifest.steps(ROOT):
        for todo in step.todos:
            assert len(todo.hints) == 3, f"TODO {todo.id}: a nudge, where to look, the code"
            assert "https://" in todo.hints[1], f"TODO {todo.id}: the second level links the API's docs"

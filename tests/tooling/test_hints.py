"""`make hint-step N`: the next TODO still stubbed, with its hint."""
from workshop import hints, manifest


def test_the_first_todo_left_is_described_with_its_hint(repo, capsys):
    hints.main(1, repo)
    assert capsys.readouterr().out.splitlines()[:2] == [
        "Step 1, TODO 01.1: add two numbers", "Hint: Python has an operator for it."]


def test_a_solved_todo_is_skipped(repo, edit, capsys):
    edit(repo / "steps/01_calc/calc.py", 'raise NotImplementedError("TODO 01.1: add two numbers")', "return a + b")
    hints.main(1, repo)
    assert capsys.readouterr().out.startswith("Step 1, TODO 01.2: double a number\nHint: helpers.py already knows how.")


def test_no_stubs_left_points_at_the_tests(repo, edit, capsys):
    edit(repo / "steps/02_greet/greet.py", 'raise NotImplementedError("TODO 02.1: say hello to someone")', "return 1")
    hints.main(2, repo)
    assert "Step 2 has no TODO stubs left: `make test-step 2`" in capsys.readouterr().out


def test_the_stub_a_test_ran_into_wins_over_a_todo_its_source_mentions(repo):
    output = ('    """Needs TODO 01.1 done first."""\nE   NotImplementedError: TODO 01.2: double a number\n')
    assert hints.failing_todo(manifest.step(1, repo), output).id == "01.2"

"""`make diff-step N`: a unified diff from your starter to the solution."""
import pytest

from workshop import diff_step


def test_the_diff_turns_each_stub_into_the_solution(repo, capsys):
    diff_step.main(1, repo, todo_id="all")
    out = capsys.readouterr().out
    assert "--- steps/01_calc/calc.py\n+++ solutions/01_calc/calc.py\n" in out
    assert ('-    raise NotImplementedError("TODO 01.1: add two numbers")\n'
            "+    # BEGIN SOLUTION 01.1\n+    return a + b\n") in out
    assert "helpers.py" not in out


def test_a_file_only_one_side_has_shows_whole(repo, write, capsys):
    write(repo / "steps/01_calc/scratch.py", "print('mine')\n")
    diff_step.main(1, repo, todo_id="all")
    assert "--- steps/01_calc/scratch.py\n+++ solutions/01_calc/scratch.py\n@@ -1 +0,0 @@\n-print('mine')" in (
        capsys.readouterr().out
    )


def test_it_shows_one_todo_at_a_time_the_first_open_one(repo, capsys):
    diff_step.main(1, repo)
    out = capsys.readouterr().out
    assert out.startswith("The solution of TODO 01.1 (add two numbers):\n")
    assert "+    return a + b\n" in out and "twice(x)" not in out, "only TODO 01.1's solution"
    assert out.splitlines()[-1] == "(One TODO at a time. Still open after it: 01.2: `make diff-step 1 TODO=01.2`.)"


def test_a_solved_todo_is_skipped_and_todo_names_another(repo, edit, capsys):
    edit(repo / "steps/01_calc/calc.py", 'raise NotImplementedError("TODO 01.1: add two numbers")', "return a + b")
    diff_step.main(1, repo)
    assert "+    return twice(x)\n" in capsys.readouterr().out
    diff_step.main(1, repo, todo_id="01.1")
    out = capsys.readouterr().out
    assert "+    return a + b\n" in out and "twice" not in out


def test_todo_all_shows_every_change_and_an_unknown_todo_says_which_exist(repo, capsys):
    diff_step.main(1, repo, todo_id="all")
    out = capsys.readouterr().out
    assert "return a + b" in out and "return twice(x)" in out
    with pytest.raises(SystemExit, match="Step 1 has no TODO 02.1: use one of 01.1, 01.2"):
        diff_step.main(1, repo, todo_id="02.1")


def test_a_step_with_every_todo_written_says_how_to_see_one(repo, edit, capsys):
    edit(repo / "steps/02_greet/greet.py", 'raise NotImplementedError("TODO 02.1: say hello to someone")', "pass")
    diff_step.main(2, repo)
    assert "`make diff-step 2 TODO=02.1`" in capsys.readouterr().out

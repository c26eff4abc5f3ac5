"""`make diff-step N`: a unified diff from your starter to the solution."""
from workshop import diff_step


def test_the_diff_turns_each_stub_into_the_solution(repo, capsys):
    diff_step.main(1, repo)
    out = capsys.readouterr().out
    assert "--- steps/01_calc/calc.py\n+++ solutions/01_calc/calc.py\n" in out
    assert ('-    raise NotImplementedError("TODO 01.1: add two numbers")\n'
            "+    # BEGIN SOLUTION 01.1\n+    return a + b\n") in out
    assert "helpers.py" not in out


def test_a_file_only_one_side_has_shows_whole(repo, write, capsys):
    write(repo / "steps/01_calc/scratch.py", "print('mine')\n")
    diff_step.main(1, repo)
    assert "--- steps/01_calc/scratch.py\n+++ solutions/01_calc/scratch.py\n@@ -1 +0,0 @@\n-print('mine')" in (
        capsys.readouterr().out
    )

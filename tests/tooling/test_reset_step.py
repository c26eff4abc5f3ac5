"""`make reset-step N`: your work goes to backups/ first, then the pristine starter comes back."""
import subprocess

import pytest

from workshop import reset_step

MY_WORK = "def add(a, b):\n    return a + b  # my work\n"


def test_the_participants_files_are_backed_up_then_the_starter_restored(repo, write, capsys):
    pristine = (repo / "steps/01_calc/calc.py").read_text()
    write(repo / "steps/01_calc/calc.py", MY_WORK)
    write(repo / "steps/01_calc/notes/mine.txt", "ideas")
    assert reset_step.main(1, repo) == 0
    backups = list((repo / "backups").iterdir())
    assert [b.name.startswith("01_calc-") for b in backups] == [True]
    assert (backups[0] / "calc.py").read_text() == MY_WORK and (backups[0] / "notes/mine.txt").read_text() == "ideas"
    assert (repo / "steps/01_calc/calc.py").read_text() == pristine
    assert not (repo / "steps/01_calc/notes").exists()
    assert f"Your steps/01_calc is saved in backups/{backups[0].name}/." in capsys.readouterr().out


def test_it_says_how_to_get_the_backup_back_and_that_command_does(repo, write, capsys):
    write(repo / "steps/01_calc/calc.py", MY_WORK)
    reset_step.main(1, repo)
    command = capsys.readouterr().out.splitlines()[1]
    assert command.startswith("To get it back later: rm -r steps/01_calc && cp -R backups/01_calc-")
    subprocess.run(command.split(": ", 1)[1], shell=True, cwd=repo, check=True)
    assert (repo / "steps/01_calc/calc.py").read_text() == MY_WORK


def test_two_resets_in_the_same_second_keep_both_backups(repo, write):
    for attempt in ("first", "second"):
        write(repo / "steps/01_calc/calc.py", attempt)
        reset_step.main(1, repo)
    saved = sorted((path / "calc.py").read_text() for path in (repo / "backups").iterdir())
    assert saved == ["first", "second"]


def test_a_pristine_step_is_left_alone_without_a_backup(repo, capsys):
    reset_step.main(2, repo)
    assert not (repo / "backups").exists()
    assert "already the pristine starter" in capsys.readouterr().out


def test_a_deleted_step_folder_is_restored(repo):
    for path in sorted((repo / "steps/02_greet").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (repo / "steps/02_greet").rmdir()
    reset_step.main(2, repo)
    assert "TODO 02.1" in (repo / "steps/02_greet/greet.py").read_text()


def test_broken_solutions_touch_nothing(repo, write, edit):
    write(repo / "steps/01_calc/calc.py", MY_WORK)
    edit(repo / "solutions/01_calc/calc.py", "    # END SOLUTION\n\n\ndef double", "\n\ndef double")
    with pytest.raises(Exception, match="markers do not nest"):
        reset_step.main(1, repo)
    assert (repo / "steps/01_calc/calc.py").read_text() == MY_WORK
    assert not (repo / "backups").exists()

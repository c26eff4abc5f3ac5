"""workshop/paths.py: the one root, how a path is shown, and which tree a command runs (TREE; TARGET, its old name,
for one more release)."""
import subprocess

import pytest

from workshop.paths import ROOT, shown, tree_folder, tree_name


@pytest.mark.parametrize("path, expected", [
    (ROOT / "steps" / "01_data", "steps/01_data"),
    (ROOT / "build" / ".." / "photos", "photos"),
    ("/nowhere/else", "/nowhere/else"),
])
def test_a_path_is_shown_from_the_repository_root(path, expected):
    assert shown(path) == expected


@pytest.mark.parametrize("given, environ, expected", [
    (None, {}, "steps"),
    ("solutions", {"TREE": "steps"}, "solutions"),
    (None, {"TREE": "solutions"}, "solutions"),
    (None, {"TREE": "solutions", "TARGET": "steps"}, "solutions"),
])
def test_the_tree_is_tree_then_the_default(given, environ, expected):
    assert tree_name(given, environ) == expected


def test_target_still_works_for_a_release_and_says_its_new_name(capsys):
    assert tree_name(None, {"TARGET": "solutions"}) == "solutions"
    assert "TARGET is the old name of TREE" in capsys.readouterr().err


def test_a_tree_name_is_a_folder_of_the_root_or_a_path(tmp_path):
    assert tree_folder("solutions") == ROOT / "solutions"
    assert tree_folder("steps", tmp_path) == tmp_path / "steps"
    assert tree_folder(str(tmp_path)) == tmp_path.resolve()


@pytest.mark.parametrize("goals, runs", [
    (["test-step", "1"], "test-step --tree='steps' 1"),
    (["test-step", "1", "TREE=solutions"], "test-step --tree='solutions' 1"),
    (["watch-step", "2", "TREE=solutions"], "watch-step --tree='solutions' 2"),
    (["test-step", "1", "TARGET=solutions"], "test-step --tree='solutions' 1"),
])
def test_make_test_step_takes_tree(goals, runs):
    result = subprocess.run(["make", "-s", "-n", "-C", str(ROOT), "-o", ".venv/.installed", "-o",
                             "build/lambda-wheels/.fetched", *goals], capture_output=True, text=True, timeout=60)
    assert runs in result.stdout
    assert ("TARGET is the old name of TREE" in result.stderr) == any(g.startswith("TARGET=") for g in goals)


@pytest.mark.parametrize("goal, runs", [("doctor", "-m workshop doctor"), ("slides", "-m workshop slides")])
def test_the_makefile_calls_the_one_command_line(goal, runs):
    result = subprocess.run(["make", "-s", "-n", "-C", str(ROOT), "-o", ".venv/.installed", goal],
                            capture_output=True, text=True, timeout=60)
    assert runs in result.stdout

"""The loader: modules of the same name from two folders live side by side in one process."""
import sys

import pytest

from workshop import loader


@pytest.fixture
def twins(tmp_path, write):
    for side in ("steps", "solutions"):
        folder = tmp_path / side / "01_calc"
        write(folder / "calc.py", "from helpers import WHO\n\ndef who():\n    return WHO\n")
        write(folder / "helpers.py", f"WHO = {side!r}\n")
        write(folder / "chalicelib/__init__.py", "")
        write(folder / "chalicelib/reply.py", f"from chalicelib import tone\nTEXT = tone.WORD + ' {side}'\n")
        write(folder / "chalicelib/tone.py", "WORD = 'hi from'\n")
    return tmp_path


def test_the_same_module_name_loads_from_each_folder_with_its_own_siblings(twins):
    starter = loader.load(twins / "steps/01_calc", "calc")
    solution = loader.load(twins / "solutions/01_calc", "calc")
    assert starter is not solution
    assert (starter.who(), solution.who()) == ("steps", "solutions")


def test_a_package_module_loads_per_folder(twins):
    assert loader.load(twins / "steps/01_calc", "chalicelib.reply").TEXT == "hi from steps"
    assert loader.load(twins / "solutions/01_calc", "chalicelib.reply").TEXT == "hi from solutions"


def test_loading_twice_gives_the_same_module_and_leaves_no_trace(twins):
    before = set(sys.modules)
    first = loader.load(twins / "steps/01_calc", "calc")
    assert loader.load(twins / "steps/01_calc", "calc") is first
    assert {"calc", "helpers"}.isdisjoint(set(sys.modules) - before)
    assert str(twins / "steps/01_calc") not in sys.path


def test_a_missing_folder_says_how_to_restore_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="make reset-step"):
        loader.load(tmp_path / "steps/01_calc", "calc")

"""A small repository laid out like WhereML (manifest, solutions/, steps/, tests/), so the tooling is tested on it
and never on the real steps."""
import os
from pathlib import Path

import pytest

from workshop import generate
from workshop.paths import ROOT

MANIFEST = """
[[steps]]
number = 1
folder = "01_calc"
title = "Calc: adding and doubling"
checkpoint = []

[[steps.todos]]
id = "01.1"
label = "add two numbers"
hints = [
    "Python has an operator for it.",
    "The arithmetic operators: https://docs.python.org/3/reference/expressions.html#binary-arithmetic-operations",
    "Return the sum: return a + b",
]

[[steps.todos]]
id = "01.2"
label = "double a number"
hint = "helpers.py already knows how."

[[steps]]
number = 2
folder = "02_greet"
title = "Greet: say hello"
checkpoint = []

[[steps.todos]]
id = "02.1"
label = "say hello to someone"
hint = "An f-string."
"""

CALC = '''\
"""Arithmetic."""
from helpers import twice


def add(a, b):
    # BEGIN SOLUTION 01.1
    return a + b
    # END SOLUTION


def double(x):
    # BEGIN SOLUTION 01.2
    return twice(x)
    # END SOLUTION
'''

GREET = '''\
def hello(name):
    # BEGIN SOLUTION 02.1
    return f"Hello, {name}!"
    # END SOLUTION
'''

TESTS_CONFTEST = '''\
from pathlib import Path

import pytest

from workshop import loader


def pytest_addoption(parser):
    parser.addoption("--tree", default="steps")


@pytest.fixture
def load(request):
    tree = Path(request.config.getoption("--tree"))
    return lambda folder, module: loader.load(tree / folder, module)
'''

TEST_CALC = '''\
def test_add(load):
    assert load("01_calc", "calc").add(2, 3) == 5


def test_double(load):
    assert load("01_calc", "calc").double(4) == 8
'''

TEST_GREET = '''\
def test_hello(load):
    assert load("02_greet", "greet").hello("Ada") == "Hello, Ada!"
'''


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A two-step repository with generated starters; its tests import the tooling from this checkout."""
    write(tmp_path / "workshop.toml", MANIFEST)
    write(tmp_path / "solutions/01_calc/calc.py", CALC)
    write(tmp_path / "solutions/01_calc/helpers.py", "def twice(x):\n    return 2 * x\n")
    write(tmp_path / "solutions/01_calc/README.md", "# Calc\n\nTODO 01.1 and 01.2.\n")
    write(tmp_path / "solutions/02_greet/greet.py", GREET)
    write(tmp_path / "tests/conftest.py", TESTS_CONFTEST)
    write(tmp_path / "tests/step01/test_calc.py", TEST_CALC)
    write(tmp_path / "tests/step02/test_greet.py", TEST_GREET)
    generate.generate(tmp_path)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # its tests need no plugins: 3x faster runs
    return tmp_path


@pytest.fixture(name="write")
def write_fixture():
    """write(path, text): create a file and its folders."""
    return write


@pytest.fixture
def edit():
    """edit(path, old, new): change one piece of a file, as a participant or maintainer would."""

    def change(path, old, new):
        text = Path(path).read_text()
        assert old in text, f"{old!r} is not in {path}"
        Path(path).write_text(text.replace(old, new))

    return change

"""The journeys: the README's walks, each in a fresh clone of this repository."""
import pytest

from workshop import fresh_clone as clones


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory):
    """A git clone of this repository as its tracked files are now, with the shared .venv (workshop/fresh_clone.py)."""
    return clones.fresh_clone(tmp_path_factory.mktemp("journey") / "whereml")

"""The journeys: the README's walks, each in a fresh clone of this repository."""
import os
import subprocess

import pytest

from workshop.paths import ROOT


def git(*arguments, cwd=ROOT):
    return subprocess.run(["git", *arguments], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory):
    """A git clone of this repository as its tracked files are now (commit or not), with the shared .venv in it.

    The venv comes as a folder of links to this checkout's venv with a fresh stamp of its own, so that make in the
    clone takes it as installed (its requirements are newer than the shared venv's stamp) and never installs."""
    clone = tmp_path_factory.mktemp("journey") / "whereml"
    snapshot = git("stash", "create") or git("rev-parse", "HEAD")  # the tracked files as they are, nothing touched
    git("clone", "-q", "--shared", "--no-checkout", str(ROOT), str(clone))
    git("checkout", "-q", "--detach", snapshot, cwd=clone)
    shared = (ROOT / ".venv").resolve()
    (clone / ".venv").mkdir()
    for entry in shared.iterdir():
        if entry.name != ".installed":
            os.symlink(entry, clone / ".venv" / entry.name)
    (clone / ".venv" / ".installed").touch()
    return clone

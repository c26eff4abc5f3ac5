"""A fresh clone of this checkout, for the README's walks (tests/journeys/) and `python -m workshop bench waits`."""
import os
import subprocess

from workshop.paths import ROOT


def git(*arguments, cwd=ROOT):
    return subprocess.run(["git", *arguments], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def fresh_clone(clone):
    """A git clone at `clone` of this repository as its tracked files are now (commit or not), with the shared .venv.

    The venv comes as a folder of links to this checkout's venv with a fresh stamp of its own, so that make in the
    clone takes it as installed (its requirements are newer than the shared venv's stamp) and never installs."""
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

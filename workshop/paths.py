"""Where things are in the repository: the one place the host side finds its root, and how it names a path."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
STEPS = ROOT / "steps"
BUILD = ROOT / "build"
PHOTOS = ROOT / "photos"
TESTS = ROOT / "tests"


def shown(path, root=ROOT):
    """A path as the reader would type it: from `root` (the repository) when it is inside, else in full."""
    path = Path(path).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def tree_name(given=None, environ=os.environ):
    """Whose code a command runs: `given` (--tree), else $TREE, else steps (the attendee's). $TARGET, TREE's old name
    for the test commands, is still read for one release, with a warning."""
    if given:
        return given
    if environ.get("TREE"):
        return environ["TREE"]
    if environ.get("TARGET"):
        print(f"TARGET is the old name of TREE and goes in the next release: say TREE={environ['TARGET']}.",
              file=sys.stderr)
        return environ["TARGET"]
    return "steps"


def tree_folder(tree, root=ROOT):
    """The folder a tree's name names: steps, solutions (in `root`), or a path laid out like them."""
    return Path(root) / tree if tree in ("steps", "solutions") else Path(tree).resolve()

"""Import a step's modules from one tree without shadowing the same names from another tree.

steps/ and solutions/ hold modules of the same names (prepare, train, app, chalicelib, ...). Each folder keeps its
own copies: while one folder's code is imported, only that folder's modules are visible under those names.
Code in a step folder imports its siblings at module level, so nothing is looked up by name afterwards.
"""
import contextlib
import importlib
import sys
from pathlib import Path

_modules_by_folder = {}


def _local_names(folder):
    return {path.stem for path in folder.glob("*.py")} | {
        path.name for path in folder.iterdir() if (path / "__init__.py").exists()
    }


def _take_local(names):
    return {key: sys.modules.pop(key) for key in list(sys.modules) if key.split(".")[0] in names}


def load(folder, name):
    """Return module `name` (e.g. "prepare" or "chalicelib.reply") imported from `folder`."""
    with visible(folder):
        return importlib.import_module(name)


@contextlib.contextmanager
def visible(folder):
    """During the block, `folder`'s modules are the ones imported under their names (as when its script runs): a
    worker process finds the functions it is sent by their module's name."""
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} does not exist: run `make reset-step` for that step to restore it.")
    own = _modules_by_folder.setdefault(folder, {})
    names = _local_names(folder)
    others = _take_local(names)
    sys.modules.update(own)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        own.update(_take_local(names))
        sys.modules.update(others)

"""Import a step's modules from one tree without shadowing the same names from another tree.

steps/ and solutions/ hold modules of the same names (prepare, train, app, chalicelib, ...). Each folder keeps its
own copies: while one folder's code is imported, only that folder's modules are visible under those names.
Code in a step folder imports its siblings at module level, so nothing is looked up by name afterwards. A step folder's
`code/` (03_host's: what the SageMaker container imports) is part of it: its modules are visible with the folder's.
"""
import contextlib
import importlib
import sys
from pathlib import Path

_modules_by_folder = {}


def _local_names(folders):
    return {path.stem for folder in folders for path in folder.glob("*.py")} | {
        path.name for folder in folders for path in folder.iterdir() if (path / "__init__.py").exists()
    }


def _search_path(folder):
    """The folders whose modules `folder`'s code imports by name: the folder, and its `code/` when it has one."""
    return [folder, folder / "code"] if (folder / "code").is_dir() else [folder]


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
    path = [str(each) for each in _search_path(folder)]
    names = _local_names(_search_path(folder))
    others = _take_local(names)
    sys.modules.update(own)
    sys.path[:0] = path
    try:
        yield
    finally:
        for each in path:
            sys.path.remove(each)
        own.update(_take_local(names))
        sys.modules.update(others)

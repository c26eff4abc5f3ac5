"""The code attendees read patches no library: no file in solutions/ or steps/ assigns to an attribute of a module
it imports from outside its own step folder (or of anything it imports from one), nor calls setattr on one."""
import ast

import pytest

from workshop import files, manifest
from workshop.paths import ROOT


def imported_names(tree, own_modules):
    """The names a module binds by importing from outside its step folder."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in own_modules:
                    names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] not in own_modules:
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def root_name(node):
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def patches(source, own_modules):
    """(line, what) for each assignment to an attribute of an imported name, and each setattr on one."""
    tree = ast.parse(source)
    imported = imported_names(tree, own_modules)
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr"):
            targets = [node.args[0]] if node.args else []
            if targets and root_name(targets[0]) in imported:
                found.append((node.lineno, ast.unparse(node)))
            continue
        for target in targets:
            if isinstance(target, ast.Attribute) and root_name(target) in imported:
                found.append((node.lineno, ast.unparse(target)))
    return found


def step_files():
    for tree in ("solutions", "steps"):
        for step in manifest.steps(ROOT):
            folder = ROOT / tree / step.folder
            for relative in files.listing(folder):
                if relative.endswith(".py"):
                    yield folder, relative


def own_modules(folder):
    """What a step folder's files import by name: its own modules and packages (chalicelib)."""
    return {path.stem for path in folder.iterdir() if path.suffix == ".py" or (path / "__init__.py").is_file()}


@pytest.mark.parametrize("folder, relative", list(step_files()), ids=lambda value: str(value).split("/")[-1])
def test_no_step_file_patches_a_library(folder, relative):
    source = (folder / relative).read_text(encoding="utf-8")
    found = patches(source, own_modules(folder))
    where = folder.relative_to(ROOT) / relative
    assert not found, f"{where} changes a library it imports ({found}): call it as it is, and make the test cheaper"


@pytest.mark.parametrize("source", [
    "import sagemaker.utils\nsagemaker.utils.validate_sagemaker_config = print\n",
    "from sagemaker import utils\nutils.validate_sagemaker_config = print\n",
    "import jsonschema as js\njs.validate = print\n",
    "import socket\nsetattr(socket.socket, 'connect', print)\n",
    "from botocore.client import BaseClient\nBaseClient._make_api_call = print\n",
])
def test_a_patch_is_found(source):
    assert patches(source, own_modules=set())


def test_assigning_to_own_objects_is_no_patch():
    assert patches("import settings\nsettings.DEBUG = True\nclass A:\n    pass\nA.x = 1\n", {"settings"}) == []

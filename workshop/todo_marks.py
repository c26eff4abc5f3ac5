"""The `todo` marker (a pytest plugin): `@pytest.mark.todo("03.2")` says which TODO of workshop.toml a test checks.

Its ids must be TODOs of the test's step. A step's tests run in TODO order (quick files first within a TODO, tests
without a marker last), and a failing test's report carries one line that names its TODO:
`TODO 03.2 (<label>): <the first line of the failure>` (`TODO 01.2 (...) or TODO 01.3 (...): ...` for a test
tagged with both; a failure whose first line starts `TODO 02.3: ...`, from plumbing that could not use that TODO's
answer, names that TODO whatever the test is tagged with). `--todos-up-to 03.2` runs only the tests of TODOs up to
03.2 (what `make check-workshop` runs on a copy whose TODO 03.2 is stubbed or wrong), and does not even import a test
file that tags no test with one of them. tests/conftest.py loads this plugin; the step commands pass it with `-p` too,
so they work on a copy whose conftest predates it.
"""
import ast
import re

import pytest

from workshop import broken_files, manifest
from workshop.paths import tree_folder, tree_name

PLUMBING = "No TODO: this test checks the plumbing outside the TODO regions"
RAISED = re.compile(r"NotImplementedError: TODO (\d\d\.\d+)")
NAMED = re.compile(r"(?:\w+: )?TODO (\d\d\.\d+): (.*)")  # "ValueError: TODO 02.3: geo_accuracy answered ..."
STEP_FOLDER = re.compile(r"step(\d\d)")


def pytest_addoption(parser):
    parser.addoption("--todos-up-to", metavar="ID", help="run only the tests tagged with this TODO or an earlier one "
                     "(by the first TODO each test names)")


def pytest_configure(config):
    config.addinivalue_line("markers", "todo(*ids): the TODO(s) of workshop.toml that this test checks")


def tags_in(path):
    """The TODO ids a test file's `pytest.mark.todo(...)` calls name; None stands for an argument that is no string."""
    found = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Call) and is_todo_mark(node.func):
            found.update(arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
                         for arg in node.args)
    return found


def is_todo_mark(node):
    """Whether an expression is `pytest.mark.todo` (or `mark.todo`)."""
    return (isinstance(node, ast.Attribute) and node.attr == "todo"
            and "mark" in (getattr(node.value, "attr", None), getattr(node.value, "id", None)))


def pytest_ignore_collect(collection_path, config):
    """With --todos-up-to, a test file whose tags are all later TODOs, or none, is not imported: every test in it would
    be deselected, and importing a step's other files (the SDK, moto, MXNet) is most of what a copy waits for."""
    up_to = config.getoption("--todos-up-to")
    if not up_to or collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    try:
        tags = tags_in(collection_path)
    except (SyntaxError, ValueError):  # collected, so that pytest reports it as it reports any file that does not parse
        return None
    if None in tags or any(rank(todo_id) <= rank(up_to) for todo_id in tags):
        return None
    return True


def todo_ids(item):
    """The TODO ids a test is tagged with, in TODO order."""
    return sorted({todo_id for mark in item.iter_markers("todo") for todo_id in mark.args}, key=rank)


def rank(todo_id):
    return tuple(int(part) for part in str(todo_id).split(".") if part.isdigit())


def step_number(item, rootpath):
    """The step number of a test under tests/stepNN, else None."""
    parts = item.path.relative_to(rootpath).parts if item.path.is_relative_to(rootpath) else ()
    found = STEP_FOLDER.fullmatch(parts[1]) if len(parts) > 2 and parts[0] == "tests" else None
    return int(found[1]) if found else None


def _problems(items, rootpath):
    tagged = [(item, [mark.args for mark in item.iter_markers("todo")]) for item in items]
    tagged = [(item, marks) for item, marks in tagged if marks]
    if not tagged:
        return []
    known, found = manifest.todos(rootpath), []
    for item, marks in tagged:
        number = step_number(item, rootpath)
        for todo_id in {todo_id for args in marks for todo_id in args} or {None}:
            if todo_id is None:
                found.append(f"{item.nodeid}: @pytest.mark.todo() needs the id of the TODO it checks, e.g. \"01.1\".")
            elif todo_id not in known:
                ids = [i for i in known if number is None or rank(i)[0] == number]
                found.append(f"{item.nodeid}: @pytest.mark.todo({todo_id!r}) names no TODO of workshop.toml: use one "
                             f"of {', '.join(ids)}.")
            elif number is not None and rank(todo_id)[0] != number:
                found.append(f"{item.nodeid}: is tagged with TODO {todo_id}, which belongs to step "
                             f"{rank(todo_id)[0]}, not step {number}: tag it with a TODO of its own step.")
    return found


@pytest.hookimpl(trylast=True)  # after the step conftests put their quick files first: the sort below keeps that
def pytest_collection_modifyitems(config, items):
    """Check the markers' ids and run each folder's tests in TODO order."""
    problems = _problems(items, config.rootpath)
    if problems:
        raise pytest.UsageError("\n".join(problems))
    folders = {}
    for item in items:
        folders.setdefault(item.path.parent, len(folders))
    last = (float("inf"),)
    items.sort(key=lambda item: (folders[item.path.parent], next(map(rank, todo_ids(item)), last)))
    up_to = config.getoption("--todos-up-to")
    if up_to:
        later = [item for item in items if not todo_ids(item) or rank(todo_ids(item)[0]) > rank(up_to)]
        if later:
            config.hook.pytest_deselected(items=later)
            items[:] = [item for item in items if item not in set(later)]


def failure_line(item, report, known):
    """`TODO 03.2 (<label>): <first line of the failure>`, or the plumbing sentence for a test with no marker."""
    crash = getattr(report.longrepr, "reprcrash", None)
    message = (crash.message if crash else str(report.longrepr)).strip().splitlines() or [""]
    message = message[0].removeprefix("AssertionError: ")
    raised, named = RAISED.search(message), NAMED.match(message.removeprefix("Failed: "))
    if raised and raised[1] in known:
        ids, message = [raised[1]], "its stub is still there (NotImplementedError): write the code of this TODO"
    elif named and named[1] in known:  # the code under test said whose answer it could not use
        ids, message = [named[1]], named[2]
    else:
        ids = todo_ids(item)
    if not ids:
        return f"{PLUMBING}: {message}"
    return " or ".join(f"TODO {todo_id} ({known[todo_id].label})" for todo_id in ids) + f": {message}"


def tree_under_test(config):
    """The folder the tests run against (tests/conftest.py's --tree), or None where no such option exists."""
    try:
        chosen = config.getoption("--tree")
    except ValueError:
        return None
    return tree_folder(tree_name(chosen), config.rootpath)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and (todo_ids(item) or step_number(item, item.config.rootpath) is not None):
        tree = tree_under_test(item.config)
        broken = broken_files.mark(call.excinfo, tree) if call.excinfo and tree else None
        line = broken or failure_line(item, report, manifest.todos(item.config.rootpath))
        report.sections.append(("TODO", line))
    return report

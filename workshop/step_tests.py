"""Running a step's tests: `make test-step N` stops at the first failure and names the TODO (a step with no stub
left runs in a process per core and names the earliest TODO that fails)."""
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

from workshop import broken_files, hints, manifest, results, todo_marks
from workshop.paths import ROOT, tree_folder, tree_name

FAILED, NO_TESTS = 1, 5  # pytest's exit codes when a test failed, and when it collected nothing
STOPPED = "(stopped: the tests ran longer than {timeout} s)\n"  # how a run that took too long ends
KEPT = "test-step"  # build/test-step/: the answer of the last `make test-step N`, for `make hint-step N`


def pytest_command(step, tree, *options, paths=None):
    """pytest on the step's tests (or `paths` among them), with this checkout's `todo` plugin; on another --root,
    with this tooling (-P: the root's own workshop/ is not imported in its place)."""
    elsewhere = ["-P"] if Path(step.root) != ROOT else []
    paths = paths or [step.tests.relative_to(step.root)]
    return [sys.executable, *elsewhere, "-m", "pytest", *map(str, paths), f"--rootdir={step.root}", f"--tree={tree}",
            "-p", "no:cacheprovider", "-p", "workshop.todo_marks", *options]


def _environment(step):
    """No third-party pytest plugins (the step tests use none: each run starts faster); on another --root, this
    tooling, and no bytecode files written into that copy."""
    if Path(step.root) == ROOT:
        return dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=path, PYTHONDONTWRITEBYTECODE="1")


def run(step, tree, *options, echo=None, timeout=None, paths=None):
    """Run the tests of `step` (or `paths`) against the folder `tree`; (exit code, output). `echo` gets each line as
    it comes."""
    if not step.tests.is_dir():
        message = f"{step.tests.relative_to(step.root)} does not exist: step {step.number} has no tests yet.\n"
        if echo:
            echo(message)
        return NO_TESTS, message
    process = subprocess.Popen(
        pytest_command(step, tree, *options, paths=paths), cwd=step.root, env=_environment(step),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
    )
    lines = []

    def stop():
        lines.append(STOPPED.format(timeout=timeout))
        process.kill()

    watchdog = threading.Timer(timeout or 0, stop)
    if timeout:
        watchdog.start()
    try:
        for line in process.stdout:
            lines.append(line)
            if echo:
                echo(line)
    finally:
        watchdog.cancel()
        code = process.wait()
    return code, "".join(lines)


def in_parallel(cores=None):
    """pytest-xdist's options for a step with no stub left: its tests over a process per core (at most 4), a test
    file to a process (its module fixtures are set up once, its tests run in their order), handed out in TODO order.
    They all run (xdist's -x ends a run as interrupted), and the answer names the earliest TODO that fails."""
    workers = min(cores or os.cpu_count() or 1, 4)
    return ["-p", "xdist.plugin", "-n", str(workers), "--dist", "loadscope"] if workers > 1 else []


def _echo(line):
    sys.stdout.write(line)
    sys.stdout.flush()


COLOR = re.compile(r"\x1b\[[0-9;]*m")
HEADER = re.compile(r"^=+ (.+?) =+$")  # pytest's "==== FAILURES ====", "==== short test summary info ===="
TITLE = re.compile(r"^_{2,} (.+?) _{2,}$")  # the title line of one failure: "____ test_add[2-3] ____"


def _plain(line):
    return COLOR.sub("", line).rstrip("\n")


def _earliest(block):
    """The rank of the earliest TODO a failure's `TODO ...` line names (plumbing and the unnamed last)."""
    ids = [todo_id for line in map(_plain, block) if hints.MARKED.match(line)
           for todo_id in hints.MARKED_ID.findall(line)]
    return min(map(todo_marks.rank, ids), default=(float("inf"),))


def earliest_first(output):
    """pytest's output with its failures (and their summary lines) in TODO order, the earliest TODO's first:
    parallel workers report failures as they happen, and the first one a participant reads must be the one to fix
    first."""
    lines = output.splitlines(keepends=True)
    headers = [index for index, line in enumerate(lines) if HEADER.match(_plain(line))]
    start = next((index for index in headers if HEADER.match(_plain(lines[index]))[1] == "FAILURES"), None)
    if start is None:
        return output
    end = next((index for index in headers if index > start), len(lines))
    titles = [index for index in range(start + 1, end) if TITLE.match(_plain(lines[index]))]
    blocks = [lines[begin:finish] for begin, finish in zip(titles, titles[1:] + [end])]
    blocks.sort(key=_earliest)
    order = {TITLE.match(_plain(block[0]))[1]: place for place, block in enumerate(blocks)}
    tail = lines[end:]
    summary = [index for index, line in enumerate(tail) if _plain(line).startswith(("FAILED ", "ERROR "))]

    def place(line):
        test = _plain(line).split(" ", 1)[1].split(" - ", 1)[0].split("::", 1)[-1].replace("::", ".")
        return order.get(test, len(order))

    for index, line in zip(summary, sorted((tail[index] for index in summary), key=place)):
        tail[index] = line
    return "".join(lines[: start + 1] + lines[start + 1 : titles[0] if titles else end] + sum(blocks, []) + tail)


class _FailuresHeld:
    """An echo that passes pytest's lines on as they come until its failures begin, and keeps those to show in TODO
    order once the run ends (a parallel run's failures arrive in the order the workers met them)."""

    def __init__(self, echo):
        self.echo, self.held = echo, None

    def __call__(self, line):
        if self.held is None and HEADER.match(_plain(line)) and HEADER.match(_plain(line))[1] == "FAILURES":
            self.held = []
        if self.held is None:
            self.echo(line)
        else:
            self.held.append(line)

    def flush(self):
        if self.held:
            self.echo(earliest_first("".join(self.held)))


def _answer(step, folder, code, output):
    """What a run of `make test-step` says, kept for `make hint-step`: its exit code and the TODOs it names (none
    when a file of the step does not import: `broken(step, folder)` names it)."""
    broken = broken_files.from_output(output, step.root) if code == FAILED else None
    todos = hints.failing_todos(step, output, folder) if code == FAILED and not broken else []
    if code in (0, FAILED):  # not a run that was interrupted or could not start
        said = {"code": code, "todos": [todo.id for todo in todos], "broken": broken and broken.describe(step.number)}
        results.keep(step, KEPT, f"{folder}:{results.key(step, folder)}", said)
    return code, todos


def broken(step, folder):
    """What to say when a file of the step folder does not import: a syntax error found by compiling the files, or
    the import error the last `make test-step` run met on these very files. None when every file imports."""
    found = broken_files.syntax_error(folder, step.root)
    if found:
        return found.describe(step.number)
    kept = results.kept(step, KEPT, f"{folder}:{results.key(step, folder)}")
    return kept.get("broken") if kept else None


def kept_answer(step, folder):
    """(exit code, the TODOs to work on) that the last `make test-step` on these very files of `folder` kept, or
    None."""
    kept = results.kept(step, KEPT, f"{folder}:{results.key(step, folder)}")
    if kept is None:
        return None
    return kept["code"], [step.todo(todo_id) for todo_id in kept["todos"] if step.todo(todo_id)]


def answer(step, folder, say=print):
    """(exit code, the TODOs to work on) of `make test-step` on `folder`: kept from its last run on these very
    files, or found now by running the tests quietly."""
    kept = kept_answer(step, folder)
    if kept is not None:
        return kept
    say(f"(Running the tests of step {step.number} to see where `make test-step {step.number}` stops ...)")
    return _answer(step, folder, *run(step, folder.parent, "-x", "-q"))


def main(number, tree=None, root=ROOT, say=print):
    """`make test-step N`: pytest -x -q on the step; on failure, name the TODO to work on and its hint."""
    step = manifest.step(number, root)
    tree = tree_name(tree)
    folder = tree_folder(tree, root) / step.folder
    if not folder.parent.is_dir():
        raise SystemExit(f"TREE={tree} is no folder: use steps (your work), solutions, or a folder laid out like them.")
    if not folder.is_dir():
        raise SystemExit(f"{folder} is missing: `make reset-step {step.number}` restores the starter.")
    syntax = broken_files.syntax_error(folder, root)
    if syntax:  # every test that loads the file would fail, the first of them under some TODO: say what is wrong
        say(syntax.describe(step.number))
        return FAILED
    color = ["--color=yes"] if sys.stdout.isatty() else []
    how = (in_parallel() if not hints.todos_left(step, folder) else []) or ["-x"]
    echo = _FailuresHeld(_echo)
    code, todos = _answer(step, folder, *run(step, folder.parent, "-q", *color, *how, echo=echo))
    echo.flush()
    if code == 0:
        say(f"Step {step.number} passes all its tests against {tree}.")
        return 0
    if code == NO_TESTS:
        say(f"No tests ran for step {step.number}: {step.tests.relative_to(root)} must hold test_*.py files.")
        return 1
    say("")
    if code != FAILED:
        say(f"The tests of step {step.number} could not run (pytest exit {code}, above): its last lines say why.")
    elif broken(step, folder):
        say(broken(step, folder))
    elif todos:
        say("Not there yet. " + "\nOr: ".join(hints.describe(step, todo) for todo in todos))
    else:
        say(f"Step {step.number} fails a test (above) that checks the plumbing outside the TODOs, and no TODO stub "
            "is left: read the test's message for what to change.")
    return code

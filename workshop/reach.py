"""Which tests reach each TODO's code (a pytest plugin): `--reach=FILE` writes, in run order,
{test id: {"tags": [its todo markers], "reaches": [the TODOs whose code it reaches]}}.

A test reaches a TODO when the TODO's region runs during the test, during the set-up of a fixture it uses, or when
the module is imported (a region outside any function), in this process or in one it starts: a Python started with
subprocess measures itself (tests/netguard/child_reach.py). A test whose processes cannot all report (one forked, as
prepare.py's workers are, or killed, or not given the tests' PYTHONPATH) reaches every TODO of its step. A test
that does not reach a TODO runs the same on a copy where only that region is changed, so the starter and variant
checks run only the tests that reach the region they change (their answers stay those of running them all).

    pytest tests/step03 --tree=solutions -p workshop.reach --reach=build/reach.json

`tests(step)` gives that answer for a step's solution: kept in build/reach/, or recorded now.
"""
import ast
import itertools
import json
import multiprocessing.process
import os
import subprocess
import tempfile
from pathlib import Path

import coverage
import pytest

from workshop import checkpoint, files, generate, manifest, results, step_tests, todo_marks

COLLECTION = ""  # the context of what runs before the first test: imports while collecting
CHECK = "reach"


def key(step):
    return results.key(step, tooling=results.TOOLING + ("reach.py",))


def record(step, echo=None, zygote=None):
    """Run the step's tests on its solution (in a fork of `zygote`, if given), recording what each reaches;
    (exit code, output, the answer). The answer is kept when every test passed (else it is None).

    The step's checkpoint is made first: made during a test, its processes would count as reached by the test,
    though a copy of the step never changes what the checkpoint holds (it is made from solutions/)."""
    for name in step.checkpoint:
        checkpoint.ensure(name, root=step.root)
    with tempfile.TemporaryDirectory(prefix="whereml-reach-") as scratch:
        out = Path(scratch) / "reach.json"
        code, output = step_tests.run(step, step.solution.parent, "-q", "-p", "workshop.reach", f"--reach={out}",
                                      echo=echo, zygote=zygote)
        answer = json.loads(out.read_text()) if code == 0 else None
    if answer is not None:
        results.keep(step, CHECK, key(step), answer)
    return code, output, answer


def tests(step, say=print):
    """{test id: {"tags", "reaches"}} for the step's solution, in run order."""
    answer = results.kept(step, CHECK, key(step))
    if answer is None:
        say(f"(Running the tests of step {step.number} on its solution, to see which tests reach which TODO ...)")
        code, output, answer = record(step)
        if code == step_tests.NO_TESTS:
            return {}
        if code != 0:
            raise SystemExit(f"Step {step.number}'s solution fails its tests (pytest exit {code}): fix that first "
                             f"(`make test-step {step.number} TARGET=solutions`).\n{output[-3000:]}")
    return answer


def pytest_addoption(parser):
    parser.addoption("--reach", metavar="JSON", help="write {test id: the TODOs whose code it reaches}")


def regions(tree, root):
    """[(file, TODO id, its line numbers, at module level?)] of every region in the step folders under `tree`."""
    found, all_todos = [], manifest.todos(root)
    for step in manifest.steps(root):
        for relative in files.listing(tree / step.folder):
            path = tree / step.folder / relative
            if path.suffix != ".py":
                continue
            text = path.read_text(encoding="utf-8")
            functions = [node for node in ast.walk(ast.parse(text))
                         if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
            for region in generate.convert(text, step, relative, set(), all_todos)[1]:
                inside = any(node.lineno < region.lines.start <= node.end_lineno for node in functions)
                found.append((str(path.resolve()), region.id, region.lines, not inside))
    return found


class Recorder:
    """Coverage of the tree's files, in one context per test and per fixture set-up, and who started a process."""

    def __init__(self, tree, root, out):
        self.tree, self.root, self.out = Path(tree), root, out
        self.coverage = coverage.Coverage(data_file=None, include=[f"{self.tree}/*"], config_file=False)
        self.context = COLLECTION
        self.spawned = set()  # contexts in which a process was started that did not report what it ran
        self.started = {}  # token -> the context in which a subprocess was started, which reports under it
        self.reports = tempfile.TemporaryDirectory(prefix="whereml-reach-")
        os.environ.update(WHEREML_REACH_DIR=self.reports.name, WHEREML_REACH_TREE=str(self.tree))
        self.fixtures = {}  # test id -> its fixtures' contexts
        self.tags = {}  # test id -> its todo markers
        self.steps = {}  # test id -> the number of its step (tests/stepNN)
        self.coverage.start()
        self._watch_processes()
        os.register_at_fork(after_in_child=self.coverage.stop)  # a forked worker reaches everything anyway

    def _watch_processes(self):
        recorder, tokens = self, itertools.count(1)
        start_process = multiprocessing.process.BaseProcess.start
        popen_init = subprocess.Popen.__init__

        def started_process(*args, **kwargs):
            recorder.spawned.add(recorder.context)
            return start_process(*args, **kwargs)

        def started_popen(popen, *args, **kwargs):
            if len(args) > 10:  # env given by position: the process is not heard from
                recorder.spawned.add(recorder.context)
                return popen_init(popen, *args, **kwargs)
            token = str(next(tokens))
            Path(recorder.reports.name, token).mkdir()
            recorder.started[token] = recorder.context
            kwargs["env"] = dict(os.environ if kwargs.get("env") is None else kwargs["env"], WHEREML_REACH_ID=token,
                                 WHEREML_REACH_DIR=recorder.reports.name, WHEREML_REACH_TREE=str(recorder.tree))
            return popen_init(popen, *args, **kwargs)

        multiprocessing.process.BaseProcess.start = started_process
        subprocess.Popen.__init__ = started_popen

    def _child_lines(self):
        """[(context, file, its lines that ran)] from the subprocesses whose processes all reported; the contexts of
        the others go into self.spawned."""
        found = []
        for token, context in self.started.items():
            reports = _reports(Path(self.reports.name, token), token)
            if reports is None:
                self.spawned.add(context)
            for report in reports or ():
                data = coverage.CoverageData(basename=str(report))
                data.read()
                found += [(context, path, set(data.lines(path) or ())) for path in data.measured_files()]
        return found

    def switch(self, context):
        previous, self.context = self.context, context
        self.coverage.switch_context(context)
        return previous

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item):
        self.tags[item.nodeid] = todo_marks.todo_ids(item)
        self.steps[item.nodeid] = todo_marks.step_number(item, item.config.rootpath)
        self.fixtures[item.nodeid] = {_fixture_context(definition) for name in item.fixturenames
                                      for definition in item._fixtureinfo.name2fixturedefs.get(name, ())}
        previous = self.switch(item.nodeid)
        try:
            return (yield)
        finally:
            self.switch(previous)

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef):
        previous = self.switch(_fixture_context(fixturedef))
        try:
            return (yield)
        finally:
            self.switch(previous)

    @pytest.hookimpl(trylast=True)  # after the session's fixtures end, and the processes they started
    def pytest_sessionfinish(self, session):
        self.coverage.stop()
        data = self.coverage.get_data()
        children = self._child_lines()
        self.reports.cleanup()
        reached, everyone = {}, set()  # context -> TODO ids; TODOs every test reaches
        found = regions(self.tree, self.root)
        for path, todo_id, lines, module_level in found:
            if module_level:
                everyone.add(todo_id)
            for line, contexts in (data.contexts_by_lineno(path) or {}).items():
                if line in lines:
                    for context in contexts:
                        reached.setdefault(context, set()).add(todo_id)
            for context, child_path, child_lines in children:
                if child_path == path and child_lines.intersection(lines):
                    reached.setdefault(context, set()).add(todo_id)
        every_todo = {todo_id for _, todo_id, _, _ in found}
        everyone |= reached.get(COLLECTION, set()) | (every_todo if COLLECTION in self.spawned else set())
        answer = {}
        for test, fixtures in self.fixtures.items():
            contexts = fixtures | {test}
            todos = set(everyone).union(*(reached.get(context, ()) for context in contexts))
            step_todos = {todo_id for todo_id in every_todo if self.steps[test] in (None, todo_marks.rank(todo_id)[0])}
            reaches = step_todos if contexts & self.spawned else todos
            answer[test] = {"tags": self.tags[test], "reaches": sorted(reaches, key=todo_marks.rank)}
        Path(self.out).write_text(json.dumps(answer, indent=1))


def _reports(folder, token):
    """The coverage data of every process started under `token` (tests/netguard/child_reach.py), or None when one
    forked, or ended without its data, or never started measuring."""
    names = [path.name for path in folder.iterdir()]

    def ids(kind):
        return {name[len(kind) + 1:] for name in names if name.startswith(kind + "-")}

    started = ids("started")  # ID-PID of every process that measured itself
    expected = {token} | ids("expected")
    if ids("forked") or started - ids("data") or expected - {process.rsplit("-", 1)[0] for process in started}:
        return None
    return [folder / f"data-{process}" for process in started]


def _fixture_context(definition):
    return f"fixture {definition.baseid}::{definition.argname}"


def pytest_configure(config):
    out = config.getoption("reach")
    if out:
        chosen = config.getoption("--tree")
        tree = Path(chosen) if Path(chosen).is_absolute() else config.rootpath / chosen
        config.pluginmanager.register(Recorder(tree.resolve(), config.rootpath, out), "reach-recorder")

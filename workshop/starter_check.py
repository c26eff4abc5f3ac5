"""The starter check: no TODO goes unchecked, and no pristine starter passes its tests.

For each TODO, a copy of the step's solution with only that region stubbed must fail at least one test of the step;
the pristine starter must fail too. Only the tests that reach the stubbed code run (the others pass as on the
solution: workshop/reach.py). The copies run in parallel, and a step whose solution, tests, manifest and
tooling are unchanged since its last clean check is not run again (the results are kept in build/starter-check/).
"""
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from workshop import ROOT, forked, manifest, reach, results, step_tests
from workshop.generate import starter_files, sync

FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+\.py(?:::.+?)?)(?: - .*)?$", re.M)  # pytest's short summary lines
TIMEOUT = 900  # seconds for one copy's tests
CHECK = "starter-check"


@dataclass(frozen=True)
class Job:
    step: manifest.Step
    todo: manifest.Todo  # None: the pristine starter
    tests: tuple  # the tests that reach the stubbed code, in TODO order

    @property
    def name(self):
        if self.todo:
            return f"TODO {self.todo.id} ({self.todo.label})"
        return f"the pristine starter of step {self.step.number}"


def run_copy(step, made, *options, paths=None, zygote=None):
    """(pytest exit code, output) for the step's tests on a scratch copy of solutions/ whose step folder is `made`."""
    with tempfile.TemporaryDirectory(prefix="whereml-check-") as scratch:
        tree = Path(scratch)
        for other in manifest.steps(step.root):
            if other.folder != step.folder and other.solution.is_dir():
                (tree / other.folder).symlink_to(other.solution, target_is_directory=True)
        sync(made, tree / step.folder)
        return step_tests.run(step, tree, *options, timeout=TIMEOUT, paths=paths, zygote=zygote)


def _jobs(step, say):
    reached = reach.tests(step, say)

    def reaching(todos):
        return tuple(test for test, about in reached.items() if set(about["reaches"]) & {todo.id for todo in todos})

    return [Job(step, todo, reaching([todo])) for todo in step.todos] + [Job(step, None, reaching(step.todos))]


def _run(job, zygote):
    if not job.tests:
        return step_tests.NO_TESTS, ""
    return run_copy(job.step, starter_files(job.step, {job.todo.id} if job.todo else None), "-x", "-q",
                    paths=job.tests, zygote=zygote)


def _verdict(job, code, output):
    """(caught by, problem): which test failed, or one sentence on what is wrong."""
    if code == 1:
        failed = FAILED.search(output)
        return (failed[1] if failed else "a test"), None
    if code in (0, step_tests.NO_TESTS):  # NO_TESTS: no test runs the stubbed code, so all pass as before
        if job.todo:
            return None, (f"{job.name} is checked by no test: with only its region stubbed, every test in "
                          f"tests/step{job.step.number:02d} passes. Add a test that fails without it.")
        return None, f"{job.name} passes all its tests: a starter must leave the step's tests failing."
    tail = "".join(output.splitlines(keepends=True)[-15:])
    return None, f"The tests could not run for {job.name} (pytest exit {code}); the end of their output:\n{tail}"


TOOLING = results.TOOLING + ("starter_check.py", "reach.py", "forked.py")  # what the check's answers depend on


def key(step):
    """What the check's answer for `step` depends on: what a test run of it does, and this check's code."""
    return results.key(step, tooling=TOOLING)


def check(root=ROOT, workers=2, use_cache=True, step_numbers=None, say=print, zygote=None):
    """Run the check for every step (or `step_numbers`), in forks of `zygote` (default: one of its own); 0 when
    every TODO is caught and every starter fails."""
    steps = [step for step in manifest.steps(root) if step_numbers is None or step.number in step_numbers]
    fresh = []
    for step in steps:
        caught = results.kept(step, CHECK, key(step)) if use_cache else None
        if caught is not None:
            say(f"step {step.number}: each of its {len(step.todos)} TODOs makes a test fail (unchanged since the "
                "last check).")
        else:
            fresh.append(step)
    jobs = [job for step in fresh for job in _jobs(step, say)]
    problems = {step.folder: [] for step in fresh}
    caught = {step.folder: {} for step in fresh}
    with forked.shared(zygote, root) as zygote, ThreadPoolExecutor(workers) as pool:
        for job, (code, output) in zip(jobs, pool.map(lambda job: _run(job, zygote), jobs)):
            test, problem = _verdict(job, code, output)
            if problem:
                problems[job.step.folder].append(problem)
                say(problem)
            elif job.todo:
                caught[job.step.folder][job.todo.id] = test
                say(f"step {job.step.number}: TODO {job.todo.id} makes {test} fail.")
    for step in fresh:
        if not problems[step.folder]:
            results.keep(step, CHECK, key(step), caught[step.folder])
    return 1 if any(problems.values()) else 0

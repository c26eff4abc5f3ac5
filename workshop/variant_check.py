"""The variant check: every wrong variant in workshop.toml makes a test of its own TODO fail first.

Each variant goes alone into a copy of its step's solution (its code in place of the TODO's region), and the step's
tests run on it in TODO order with `-x`, only those tagged with a TODO up to this one that reach its code (the others
pass as on the solution: workshop/reach.py): the first failure must be a test tagged with the variant's TODO, so
that `make test-step N` names that TODO. Every TODO needs MIN_VARIANTS.
A step whose solution, tests, manifest and tooling are unchanged since its last clean check is not run again (the
results are kept in build/variant-check/).
"""
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from workshop import ROOT, forked, generate, hints, manifest, reach, results, starter_check, step_tests, todo_marks
from workshop.starter_check import FAILED, run_copy

MIN_VARIANTS = 3
CHECK = "variant-check"


@dataclass(frozen=True)
class Job:
    step: manifest.Step
    todo: manifest.Todo
    number: int  # the variant's place under its TODO, from 1
    variant: manifest.Variant
    tests: tuple  # the tests tagged with this TODO or an earlier one that reach its code, in TODO order

    @property
    def name(self):
        return f"TODO {self.todo.id} ({self.todo.label}), wrong variant {self.number} ({self.variant.mistake.strip()})"


def key(step):
    """What the check's answer for `step` depends on: what a test run of it does, and this check's code."""
    return results.key(step, tooling=starter_check.TOOLING + ("variant_check.py",))


def tests_for(todo, reached):
    """The tests `make test-step` would run up to the first one of `todo` that a change of its code can affect:
    tagged with it or an earlier TODO, and reaching its code (workshop/reach.py); the others pass as before."""
    return tuple(test for test, about in reached.items() if todo.id in about["reaches"] and about["tags"]
                 and todo_marks.rank(about["tags"][0]) <= todo_marks.rank(todo.id))


def _jobs(step, todo_id=None, say=print):
    listed = manifest.variants(step.root)
    reached = reach.tests(step, say) if any(listed.get(todo.id) for todo in step.todos) else {}
    return [Job(step, todo, number, variant, tests_for(todo, reached)) for todo in step.todos
            if todo_id in (None, todo.id) for number, variant in enumerate(listed.get(todo.id, ()), start=1)]


def _run(job, zygote):
    """(pytest exit code, output, seconds) for the variant's copy."""
    if not job.tests:
        return step_tests.NO_TESTS, "", 0.0
    started = time.perf_counter()
    made = generate.variant_files(job.step, job.todo.id, job.variant.code)
    code, output = run_copy(job.step, made, "-x", "-q", paths=job.tests, zygote=zygote)
    return code, output, time.perf_counter() - started


def _verdict(job, code, output):
    """(the test that caught the variant, problem): one of them is None."""
    tests, todo_id = f"tests/step{job.step.number:02d}", job.todo.id
    if code == 1:
        failed = FAILED.search(output)
        test = failed[1] if failed else "a test"
        named = hints.named_todos(job.step, output)
        if job.todo in named:
            return test, None
        blamed = " or ".join(f"TODO {todo.id} ({todo.label})" for todo in named) or "no TODO"
        return None, (f"{job.name}: the first test to fail, {test}, names {blamed}, so `make test-step "
                      f"{job.step.number}` would send a participant there. Make a test tagged "
                      f"@pytest.mark.todo(\"{todo_id}\") fail on it first, or tag that test with {todo_id} if it "
                      "checks this TODO.")
    if code == step_tests.NO_TESTS:
        return None, (f"{job.name}: no test in {tests} tagged with TODO {todo_id} or an earlier one runs its code: "
                      f"tag the tests that check it with @pytest.mark.todo(\"{todo_id}\") (MAINTAINING.md).")
    if code == 0:
        return None, (f"{job.name}: no test notices it: with it in place, every test in {tests} tagged with TODO "
                      f"{todo_id} or an earlier one passes. Add a test tagged @pytest.mark.todo(\"{todo_id}\") that "
                      "fails on this mistake, with a message that says what to change.")
    tail = "".join(output.splitlines(keepends=True)[-15:])
    return None, f"The tests could not run for {job.name} (pytest exit {code}); the end of their output:\n{tail}"


def _count_problems(step, todo_id=None):
    listed = manifest.variants(step.root)
    return [f"TODO {todo.id} ({todo.label}) has {len(listed.get(todo.id, ()))} wrong variant(s) in variants.toml: every TODO "
            f"needs at least {MIN_VARIANTS} (MAINTAINING.md, \"Wrong variants\")."
            for todo in step.todos if todo_id in (None, todo.id) and len(listed.get(todo.id, ())) < MIN_VARIANTS]


def check(root=ROOT, workers=2, use_cache=True, step_numbers=None, todo_id=None, say=print, zygote=None):
    """Run the check for every step (or `step_numbers`, or one TODO), in forks of `zygote` (default: one of its
    own); 0 when every variant is caught by its TODO's tests first and every TODO has enough variants."""
    steps = [step for step in manifest.steps(root) if step_numbers is None or step.number in step_numbers]
    if todo_id:
        steps = [step for step in steps if step.todo(todo_id)]
        if not steps:
            raise SystemExit(f"workshop.toml has no TODO {todo_id} (in the steps asked for): the ids are listed there.")
    problems = manifest.problems(root) + manifest.variant_problems(root)
    problems += [line for step in steps for line in generate.variant_problems(step)]
    if problems:
        for line in problems:
            say(line)
        say(f"{len(problems)} problem(s) with workshop.toml or its wrong variants (above): fix them first.")
        return 1
    fresh = []
    for step in steps:
        if use_cache and not todo_id and results.kept(step, CHECK, key(step)) is not None:
            count = sum(len(manifest.variants(root).get(todo.id, ())) for todo in step.todos)
            say(f"step {step.number}: each of its {count} wrong variants makes a test of its TODO fail first "
                "(unchanged since the last check).")
        else:
            fresh.append(step)
    jobs = [job for step in fresh for job in _jobs(step, todo_id, say)]
    failed = {step.folder: False for step in fresh}
    caught = {step.folder: {} for step in fresh}
    with forked.shared(zygote, root) as zygote, ThreadPoolExecutor(workers) as pool:
        for job, (code, output, seconds) in zip(jobs, pool.map(lambda job: _run(job, zygote), jobs)):
            test, problem = _verdict(job, code, output)
            if problem:
                failed[job.step.folder] = True
                say(problem)
            else:
                caught[job.step.folder][f"{job.todo.id}/{job.number}"] = test
                say(f"step {job.step.number}: TODO {job.todo.id}, wrong variant {job.number}, makes {test} fail "
                    f"({seconds:.1f} s).")
    for step in fresh:
        if not failed[step.folder] and not todo_id:
            results.keep(step, CHECK, key(step), caught[step.folder])
    counts = [line for step in steps for line in _count_problems(step, todo_id)]
    for line in counts:
        say(line)
    return 1 if counts or any(failed.values()) else 0

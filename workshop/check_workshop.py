"""`make check-workshop`: the workshop keeps its promises (for maintainers, as rustlings' `dev check`).

- steps/ is what `make generate` makes of solutions/;
- variants.toml is well formed, and every TODO has at least MIN_VARIANTS wrong variants;
- each TODO's stub, alone in a copy of the solution, makes a test of that TODO fail first;
- each wrong variant, alone in a copy of the solution, makes a test of its TODO fail first.

"First" is what `make test-step N` sees: on a copy of TODO 03.2, the tests tagged with TODOs up to 03.2 run in TODO
order and stop at the first failure (`pytest -x --todos-up-to 03.2`), which must name TODO 03.2. The copies run in
parallel, one pytest process each.
"""
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from workshop import check_generated, generate, hints, manifest, step_tests
from workshop.paths import ROOT

MIN_VARIANTS = 5  # wrong variants each TODO needs in variants.toml, each a different kind of mistake
TIMEOUT = 900  # seconds for one copy's tests
FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+\.py(?:::.+?)?)(?: - .*)?$", re.M)  # pytest's short summary lines


@dataclass(frozen=True)
class Copy:
    """A copy of a step's solution with one TODO's region replaced: by its stub (variant None) or a wrong variant."""
    step: manifest.Step
    todo: manifest.Todo
    number: int = 0  # the variant's place under its TODO, from 1
    variant: manifest.Variant = None

    @property
    def name(self):
        what = (f"wrong variant {self.number} ({self.variant.mistake.strip()})" if self.variant else "its stub")
        return f"TODO {self.todo.id} ({self.todo.label}), {what}"

    def files(self):
        """{relative path: bytes} of the step folder of this copy."""
        if self.variant:
            return generate.variant_files(self.step, self.todo.id, self.variant.code)
        return generate.starter_files(self.step, {self.todo.id})


def run_copy(step, made, *options, paths=None):
    """(pytest exit code, output) for the step's tests (or `paths` among them) on a scratch tree: the other steps'
    solutions, and `made` as this step's folder."""
    with tempfile.TemporaryDirectory(prefix="whereml-check-") as scratch:
        tree = Path(scratch)
        for other in manifest.steps(step.root):
            if other.folder != step.folder and other.solution.is_dir():
                (tree / other.folder).symlink_to(other.solution, target_is_directory=True)
        generate.sync(made, tree / step.folder)
        return step_tests.run(step, tree, *options, timeout=TIMEOUT, paths=paths)


def run(copy):
    """(pytest exit code, output, seconds): the tests of TODOs up to the copy's, in TODO order, to the first failure."""
    started = time.perf_counter()
    code, output = run_copy(copy.step, copy.files(), "-x", "-q", "--todos-up-to", copy.todo.id)
    return code, output, time.perf_counter() - started


def verdict(copy, code, output):
    """(the test that failed first, None) when a test of the copy's TODO caught it, else (None, what is wrong)."""
    tests, todo_id = f"tests/step{copy.step.number:02d}", copy.todo.id
    if code == step_tests.FAILED:
        failed = FAILED.search(output)
        test = failed[1] if failed else "a test"
        named = hints.named_todos(copy.step, output)
        if copy.todo in named:
            return test, None
        blamed = " or ".join(f"TODO {todo.id} ({todo.label})" for todo in named) or "no TODO"
        return None, (f"{copy.name}: the first test to fail, {test}, names {blamed}, so `make test-step "
                      f"{copy.step.number}` would send a participant there. Make a test tagged "
                      f"@pytest.mark.todo(\"{todo_id}\") fail on it first, or tag that test with {todo_id} if it "
                      "checks this TODO.")
    if code == step_tests.NO_TESTS:
        return None, (f"{copy.name}: no test in {tests} is tagged with TODO {todo_id} or an earlier one: tag the "
                      f"tests that check it with @pytest.mark.todo(\"{todo_id}\") (MAINTAINING.md).")
    if code == 0:
        return None, (f"{copy.name}: no test notices it: with it in place, every test in {tests} tagged with TODO "
                      f"{todo_id} or an earlier one passes. Add a test tagged @pytest.mark.todo(\"{todo_id}\") that "
                      "fails on it, with a message that says what to change.")
    tail = "".join(output.splitlines(keepends=True)[-15:])
    return None, f"The tests could not run for {copy.name} (pytest exit {code}); the end of their output:\n{tail}"


def copies(steps, todo_id=None):
    """Every copy to check: each TODO's stub, then its wrong variants (or only those of `todo_id`)."""
    listed = manifest.variants(steps[0].root) if steps else {}
    found = []
    for step in steps:
        for todo in step.todos:
            if todo_id in (None, todo.id):
                found.append(Copy(step, todo))
                found += [Copy(step, todo, number, variant)
                          for number, variant in enumerate(listed.get(todo.id, ()), start=1)]
    return found


def problems(root, steps, todo_id=None):
    """What is wrong before any test runs: the manifest, variants.toml, too few variants, a stale steps/."""
    found = manifest.problems(root) + manifest.variant_problems(root)
    found += [line for step in steps for line in generate.variant_problems(step)]
    found += [line for step in steps for line in hints.giveaways(step) if todo_id in (None, line.split()[1][:-1])]
    listed = manifest.variants(root)
    found += [f"TODO {todo.id} ({todo.label}) has {len(listed.get(todo.id, ()))} wrong variant(s) in "
              f"{manifest.VARIANTS}: every TODO needs at least {MIN_VARIANTS} (MAINTAINING.md, \"Wrong variants\")."
              for step in steps for todo in step.todos
              if todo_id in (None, todo.id) and len(listed.get(todo.id, ())) < MIN_VARIANTS]
    return found


def check(root=ROOT, workers=2, step_numbers=None, todo_id=None, say=print):
    """Run every check (on the steps numbered `step_numbers`, or one TODO's copies); 0 when all hold."""
    started = time.monotonic()
    steps = [step for step in manifest.steps(root) if step_numbers is None or step.number in step_numbers]
    if todo_id:
        steps = [step for step in steps if step.todo(todo_id)]
        if not steps:
            raise SystemExit(f"workshop.toml has no TODO {todo_id} (in the steps asked for): the ids are listed there.")
    failed = check_generated.main(root, say) != 0
    found = problems(root, steps, todo_id)
    for line in found:
        say(line)
    if found:
        say(f"{len(found)} problem(s) with workshop.toml or variants.toml (above): fix them first.")
        return 1
    todo = copies(steps, todo_id)
    say(f"Checking {len(todo)} copies of the solutions ({sum(1 for c in todo if c.variant is None)} stubs, "
        f"{sum(1 for c in todo if c.variant)} wrong variants), {workers} at a time ...")
    slowest_first = sorted(todo, key=lambda copy: -copy.step.number)  # the later steps' tests take longer
    with ThreadPoolExecutor(workers) as pool:
        running = {pool.submit(run, copy): copy for copy in slowest_first}
        for done in as_completed(running):
            copy = running[done]
            code, output, seconds = done.result()
            test, problem = verdict(copy, code, output)
            if problem:
                failed = True
                say(problem)
            else:
                say(f"step {copy.step.number}: {copy.name} makes {test} fail first ({seconds:.1f} s).")
    minutes = (time.monotonic() - started) / 60
    if failed:
        say(f"make check-workshop failed (above) after {minutes:.1f} min.")
        return 1
    say(f"make check-workshop passed in {minutes:.1f} min: each of {len(todo)} stubs and wrong variants makes a "
        "test of its own TODO fail first, and steps/ is generated.")
    return 0

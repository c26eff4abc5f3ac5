"""How long an attendee waits: `make test-step N` on each finished step (the solutions), `make status` cold and kept.

Goals: each finished step <= 20 s, `make status` <= 15 s on a fresh clone (its answers are then kept, in
build/test-step/ as `make test-step N` keeps them).

    python -m workshop bench step_tests                      # this checkout
    python -m workshop bench step_tests --against ../main    # and another checkout, each command right after ours

With --against, both checkouts run each command in turn under the same load, so their ratio holds even on a busy
machine. Wall seconds are what an attendee waits; CPU seconds (of every process the command starts) are steadier.
The checkpoint artifacts (dataset, model) are made before any timing, as they are after `make checkpoint-step`.
"""
import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from workshop import manifest
from workshop.paths import ROOT

MAKE_ARTIFACTS = "from workshop import checkpoint; checkpoint.ensure('model')"


def timed(command, root):
    """(wall seconds, CPU seconds of the command and its children, exit code, output) of `command` run in `root`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = subprocess.run(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         errors="replace")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), run.returncode, run.stdout


def measurements(root):
    """(what, command, preparation) for each figure; a preparation runs untimed just before its command."""
    workshop = [sys.executable, "-m", "workshop"]
    rows = [(f"`make test-step {step.number}` ({step.folder}, finished)",
             workshop + ["test-step", "--tree", "solutions", str(step.number)], None)
            for step in manifest.steps(root)]
    forget = lambda folder: shutil.rmtree(folder / "build" / "test-step", ignore_errors=True)  # noqa: E731
    rows.append(("`make status`, cold (nothing kept)", workshop + ["status"], forget))
    rows.append(("`make status`, again (answers kept)", workshop + ["status"], None))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another checkout to time the same way, e.g. the main branch")
    args = parser.parse_args(argv)
    roots = [ROOT] + ([args.against.resolve()] if args.against else [])
    for root in roots:
        subprocess.run([sys.executable, "-c", MAKE_ARTIFACTS], cwd=root, check=True, stdout=subprocess.DEVNULL)
    header = "| what | wall s | CPU s |"
    if args.against:
        header += f" {args.against.name}: wall s | CPU s | its wall / ours |"
    lines = ["### Waiting for the tests (`workshop/bench/step_tests.py`)\n", header,
             "| --- |" + " ---: |" * (header.count("|") - 2)]
    failed = []
    for what, command, prepare in measurements(ROOT):
        cells = []
        for root in roots:
            if prepare:
                prepare(root)
            wall, cpu, code, output = timed(command, root)
            if code != 0:
                failed.append(f"{what} in {root}")
                print(f"{what} failed in {root} after {wall:.1f} s; its output:\n{output}", file=sys.stderr)
            cells.append((wall, cpu))
        row = f"| {what} | {cells[0][0]:.1f} | {cells[0][1]:.1f} |"
        if args.against:
            row += f" {cells[1][0]:.1f} | {cells[1][1]:.1f} | {cells[1][0] / cells[0][0]:.1f}x |"
        lines.append(row)
        print(row, file=sys.stderr)
    print("\n".join(lines))
    if failed:
        print(f"These commands failed (their output is above): {'; '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

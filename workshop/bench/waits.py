"""Issue 35, goal 4: the commands people wait on, each on a fresh clone of this checkout's tracked files.

    python -m workshop bench waits

The first `make status` (at most 20 s), `make test` (at most 150 s) and `make check-workshop` (at most 5 min), each
in a clone of its own (nothing built yet, as on the stream's morning: workshop/fresh_clone.py, as the README's walks
make theirs), sharing this checkout's .venv and, as CI after `make wheels`, its Lambda wheels. Prints wall and CPU
seconds, and ours / limit (at most 1 meets the goal).
Wall seconds are what people wait; on a busy machine read the CPU seconds (of every process the command starts).
Takes about 10 minutes on 2 cores.
"""
import os
import shutil
import tempfile
from pathlib import Path

from workshop.bench import machine_flags
from workshop.bench.step_tests import timed
from workshop.fresh_clone import fresh_clone
from workshop.paths import ROOT

COMMANDS = (("the first `make status`", ["make", "status"], 20),
            ("`make test`", ["make", "test"], 150),
            ("`make check-workshop`", ["make", "check-workshop"], 300))
WHEELS = Path("build") / "lambda-wheels"


def clone_with_wheels(folder):
    """A fresh clone in `folder`, with this checkout's Lambda wheels if they were fetched."""
    fresh_clone(folder)
    if (ROOT / WHEELS / ".fetched").exists():
        shutil.copytree(ROOT / WHEELS, folder / WHEELS)


def main():
    rows = []
    with tempfile.TemporaryDirectory(prefix="waits-") as scratch:
        for index, (name, command, limit) in enumerate(COMMANDS):
            folder = Path(scratch) / f"clone{index}"
            clone_with_wheels(folder)
            rows.append((name, limit) + timed(command, folder)[:3])
    print("### Issue 35, goal 4: the commands people wait on, fresh clone\n")
    print(machine_flags() + "\n")
    print("| command | wall s | CPU s | exit | limit s | ours / limit (wall) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, limit, wall, cpu, code in rows:
        print(f"| {name} | {wall:.0f} | {cpu:.0f} | {code} | {limit} | {wall / limit:.2f} |")
    print(f"\nEach in a fresh clone of {os.path.basename(ROOT)}'s tracked files as they are; "
          f"{os.cpu_count()} cores. A command that exits non-zero has no figure worth reading.")


if __name__ == "__main__":
    main()

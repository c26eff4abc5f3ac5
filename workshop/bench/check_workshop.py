"""`make check-workshop` per step: how many copies (stubs and wrong variants) it tests, and what they cost.

CPU seconds are those of the test processes: on a busy machine they are steadier than wall seconds, and the wall time
of the whole check on N free cores is about their sum over N.

    python -m workshop bench check_workshop
"""
import resource
import time

from workshop import check_workshop, manifest
from workshop.paths import ROOT


def timed(step):
    """(wall seconds, CPU seconds of the test processes, exit code) of the check of one step."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    code = check_workshop.check(ROOT, step_numbers={step.number}, say=lambda line: None)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - started, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), code


def main():
    rows = ["### `make check-workshop`, step by step (2 copies at a time)\n",
            "| step | copies | wall s | CPU s | CPU s per copy | passed |",
            "| --- | ---: | ---: | ---: | ---: | --- |"]
    for step in manifest.steps(ROOT):
        count = len(check_workshop.copies([step]))
        wall, cpu, code = timed(step)
        rows.append(f"| {step.number} {step.folder} | {count} | {wall:.1f} | {cpu:.1f} | {cpu / count:.1f} | "
                    f"{'yes' if code == 0 else 'NO'} |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()

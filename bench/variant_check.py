"""The wrong-variant check (`python -m workshop variant-check`, part of `make test`): its cost per step and variant.

Each step with variants is checked afresh (`--again`, 2 copies at a time), then once more from the kept results.
CPU seconds are those of the test processes: on a busy machine they are steadier than wall seconds.

    .venv/bin/python bench/variant_check.py
"""
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workshop import manifest, variant_check  # noqa: E402 (the checkout's own tooling, found through ROOT)


def timed(step, use_cache):
    """(wall seconds, CPU seconds of the test processes) of the check of one step."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    variant_check.check(ROOT, step_numbers={step.number}, use_cache=use_cache, say=lambda line: None)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - started, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main():
    rows = ["### The wrong-variant check (`python -m workshop variant-check N`)\n",
            "| step | variants | fresh: wall s | fresh: CPU s | CPU s per variant | kept: wall s |",
            "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for step in manifest.steps(ROOT):
        count = sum(len(todo.variants) for todo in step.todos)
        if not count:
            rows.append(f"| {step.number} {step.folder} | 0 | - | - | - | - |")
            continue
        wall, cpu = timed(step, use_cache=False)
        kept, _ = timed(step, use_cache=True)
        rows.append(f"| {step.number} {step.folder} | {count} | {wall:.1f} | {cpu:.1f} | {cpu / count:.1f} | "
                    f"{kept:.2f} |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()

"""`make status`: one line per step, the TODO stubs left in steps/ and how many of its tests pass.

A step's count is kept in build/status/, keyed by everything its test run depends on (the starter's files, the
tests, the manifest, the tooling, the solutions its checkpoints are made from): only a changed step runs again.
"""
import tempfile
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from workshop import ROOT, hints, manifest, results, step_tests

CHECK = "status"


def count(step):
    """(tests passing, tests) on the starter of `step`, or None when pytest wrote no report; kept between runs."""
    the_key = results.key(step, step.starter)
    kept = results.kept(step, CHECK, the_key)
    if kept is not None:
        return tuple(kept)
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.xml"
        step_tests.run(step, step.starter.parent, "-q", f"--junitxml={report}")
        if not report.exists():
            return None
        suite = ElementTree.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    total, broken = int(suite.get("tests", 0)), sum(int(suite.get(name, 0)) for name in ("failures", "errors"))
    result = (total - broken - int(suite.get("skipped", 0)), total)
    results.keep(step, CHECK, the_key, result)
    return result


def main(root=ROOT, say=print, workers=2):
    """The table: step, TODO stubs left in steps/, tests passing."""
    steps = manifest.steps(root)
    present = [step for step in steps if step.starter.is_dir()]
    with ThreadPoolExecutor(workers) as pool:
        counts = dict(zip((step.number for step in present), pool.map(count, present)))
    say(f"{'step':<22} {'TODOs left':>10}  tests passing")
    for step in steps:
        name = f"{step.number} {step.folder}"
        if step.number not in counts:
            say(f"{name:<22} {'-':>10}  folder missing: `make reset-step {step.number}`")
            continue
        passing = counts[step.number]
        shown = f"{passing[0]}/{passing[1]}" if passing and passing[1] else "no tests"
        say(f"{name:<22} {hints.stubs_left(step.starter):>10}  {shown}")
    return 0

"""`make bench`: run every bench/*.py and time each step's tests; gather the Markdown into build/bench.md."""
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

from workshop import ROOT, manifest, step_tests


def machine():
    """Where the figures come from: the CPU model, its cores, Python, the date."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), None)
    return (f"{model or platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")


def step_test_times(root, say):
    """A Markdown section: how long each step's tests take against solutions/, as `make test-step N` runs them."""
    rows = ["### Each step's tests (`make test-step N TARGET=solutions`)\n", "| step | tests | seconds |",
            "| --- | --- | ---: |"]
    failed = []
    for step in manifest.steps(root):
        say(f"timing the tests of step {step.number} ...")
        started = time.perf_counter()
        code, output = step_tests.run(step, step.solution.parent, "-x", "-q")
        seconds = time.perf_counter() - started
        last = next((line.strip(" =") for line in reversed(output.splitlines()) if line.strip(" =")), "no output")
        result = re.sub(r",? \d+ warnings?| in [\d.]+s", "", last)  # "77 passed, 9 warnings in 12.76s" -> "77 passed"
        rows.append(f"| {step.number} {step.folder} | {result} | {seconds:.1f} |")
        if code != 0:
            failed.append(f"the tests of step {step.number}")
    return "\n".join(rows) + "\n", failed


def main(root=ROOT, say=print):
    scripts = sorted((root / "bench").glob("*.py"))
    if not scripts:
        say("bench/ holds no *.py scripts: nothing to measure.")
        return 1
    sections = [f"# WhereML benchmarks\n\n{machine()}\n"]
    failed = []
    for script in scripts:
        say(f"running {script.relative_to(root)} ...")
        result = subprocess.run([sys.executable, str(script)], cwd=root, stdout=subprocess.PIPE, text=True)
        if result.returncode != 0:
            failed.append(script.relative_to(root).as_posix())
            continue
        sections.append(result.stdout.strip() + "\n")
    tests, failed_tests = step_test_times(root, say)
    sections.append(tests)
    failed += failed_tests
    report = root / "build" / "bench.md"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join(sections))
    say(report.read_text())
    if failed:
        say(f"{', '.join(failed)} failed (its errors are above): build/bench.md lacks its section.")
        return 1
    say(f"Written to {report.relative_to(root)}.")
    return 0

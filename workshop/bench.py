"""`make bench`: run every bench/*.py (each prints a Markdown section) and gather them into build/bench.md."""
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from workshop import ROOT


def machine():
    """Where the figures come from: the CPU model, its cores, Python, the date."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), None)
    return (f"{model or platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")


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
    report = root / "build" / "bench.md"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join(sections))
    say(report.read_text())
    if failed:
        say(f"{', '.join(failed)} failed (its errors are above): build/bench.md lacks its section.")
        return 1
    say(f"Written to {report.relative_to(root)}.")
    return 0

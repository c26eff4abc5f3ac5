"""`make bench`: run every bench script here (each prints a Markdown section) and gather them into build/bench.md.

    python -m workshop bench [NAME ...]     e.g. `python -m workshop bench step03_latency`
"""
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from workshop.paths import ROOT

HERE = Path(__file__).resolve().parent


def machine():
    """Where the figures come from: the CPU model, its cores, Python, the date."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), None)
    return (f"{model or platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")


def cpu_flags():
    """Which of the instructions int8 inference leans on the CPU has: AVX-512 VNNI, or only AVX2 (or neither)."""
    cpuinfo = Path("/proc/cpuinfo")
    line = next((line for line in cpuinfo.read_text().splitlines() if line.startswith("flags")), "") \
        if cpuinfo.exists() else ""
    flags = set(line.split(":", 1)[-1].split())
    return "AVX-512 VNNI" if "avx512_vnni" in flags else "AVX2 only" if "avx2" in flags else "neither AVX2 nor VNNI"


def machine_flags():
    """machine(), the CPU's int8 instructions, the threads a forward pass uses and the load when measured."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{machine()}; {cpu_flags()}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; load average "
            f"{load:.1f} when measured ({'quiet' if load < 0.5 * (os.cpu_count() or 1) else 'loaded'})")


def scripts(names=()):
    """The bench modules by name (every one without names); an unknown name stops with the list."""
    known = sorted(path.stem for path in HERE.glob("*.py") if path.stem != "__init__")
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SystemExit(f"No bench named {', '.join(unknown)}: the benches are {', '.join(known)}.")
    return list(names) or known


def main(root=ROOT, names=(), say=print):
    sections = [f"# WhereML benchmarks\n\n{machine()}\n"]
    failed = []
    for name in scripts(names):
        say(f"running workshop/bench/{name}.py ...")
        result = subprocess.run([sys.executable, "-m", f"workshop.bench.{name}"], cwd=root, stdout=subprocess.PIPE,
                                text=True)
        if result.returncode != 0:
            failed.append(f"workshop/bench/{name}.py")
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

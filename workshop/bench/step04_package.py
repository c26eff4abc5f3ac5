"""Step 04: the size of the bot's deployment.zip (`chalice package`, offline) and the cold import time of app.py.

Goals: deployment.zip <= 15 MB, a cold `import app` <= 1 s (the part of a Lambda cold start that is ours).

    python -m workshop bench step04_package      # needs the Lambda wheels: solutions/04_bot/fetch_wheels.py
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workshop.paths import ROOT

BOT = ROOT / "solutions" / "04_bot"
WHEELS = ROOT / "build" / "lambda-wheels"
IMPORTS = 7
# Wall and CPU seconds of `import app`: on a busy machine the CPU time is the steadier of the two.
MEASURE = ("import time; w, c = time.perf_counter(), time.process_time(); import app; "
           "print(time.perf_counter() - w, time.process_time() - c)")


def package(out):
    """Build the dev stage's package from a copy of the bot, with pip kept to the wheels fetched beforehand."""
    if not any(WHEELS.glob("pillow-*.whl")):
        raise SystemExit(f"No Lambda wheels in {WHEELS}: run `.venv/bin/python {BOT / 'fetch_wheels.py'}` first.")
    shutil.copytree(BOT, out / "bot", ignore=shutil.ignore_patterns("__pycache__", "deployments"))
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(WHEELS), AWS_DEFAULT_REGION="us-west-2")
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("chalice")), "package", "--stage", "dev", str(out / "pkg")],
                   cwd=out / "bot", env=env, check=True, capture_output=True)
    return out / "pkg" / "deployment.zip", time.perf_counter() - started


def cold_imports(folder):
    """(wall, CPU) seconds to import app.py in fresh Pythons, without bytecode for the bot (as in its package)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", QUEUE_NAME="whereml-dev-work")
    runs = []
    for _ in range(IMPORTS):
        done = subprocess.run([sys.executable, "-c", MEASURE], cwd=folder, env=env, check=True,
                              capture_output=True, text=True)
        runs.append(tuple(float(value) for value in done.stdout.split()))
    return runs


def main():
    with tempfile.TemporaryDirectory() as tmp:
        zip_path, package_seconds = package(Path(tmp))
        size = zip_path.stat().st_size / 2**20
        runs = cold_imports(Path(tmp) / "bot")
    wall = statistics.median(run[0] for run in runs)
    cpu = statistics.median(run[1] for run in runs)
    print("### Step 04 — the bot's Lambda package\n")
    print("| measure | value | goal |")
    print("| --- | --- | --- |")
    verdict = "✅" if size <= 15 else "❌"
    print(f"| deployment.zip (`chalice package`, dev stage) | {size:.1f} MB | <= 15 MB {verdict} |")
    print(f"| cold `import app`, CPU time (median of {IMPORTS} fresh Pythons) | {cpu:.2f} s | "
          f"<= 1 s {'✅' if cpu <= 1 else '❌'} |")
    print(f"| cold `import app`, wall time (same runs; {os.cpu_count()} shared cores) | {wall:.2f} s | |")
    print(f"| `chalice package` time (offline, from local wheels) | {package_seconds:.1f} s | |")


if __name__ == "__main__":
    main()

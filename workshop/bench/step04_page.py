"""Step 04: how long the bot's web page takes to answer a photo on this machine: `make serve` on the toy model (the
checkpoint's) and `make serve-bot` (chalice local), photos/cape-canaveral-falcon9-dscovr.jpg posted as the plain
form posts it, and the endpoint alone for comparison (the rest is the page's: the check, the count, the map).

    python -m workshop bench step04_page
"""
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

from workshop import checkpoint
from workshop.paths import ROOT

PHOTO = ROOT / "photos" / "cape-canaveral-falcon9-dscovr.jpg"
SOLUTIONS = ROOT / "solutions"
ANSWERS = 20


def started(command, ready, cwd):
    """Run `command` until a line of its output matches `ready`: (process, the match)."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    for line in process.stdout:
        found = re.search(ready, line)
        if found:
            return process, found
    raise SystemExit(f"{Path(command[1]).name} did not start (exit {process.wait()})")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def timed(call, times):
    seconds = []
    for _ in range(times):
        began = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - began)
    return seconds


def main():
    model = checkpoint.ensure("model")
    photo = PHOTO.read_bytes()
    endpoint, found = started([sys.executable, str(SOLUTIONS / "03_host" / "serve.py"), "--model-dir", str(model),
                               "--port", "0"], r"(http://127\.0\.0\.1:\d+)", ROOT)
    url = found.group(1)
    port = free_port()
    page, _ = started([sys.executable, "serve_page.py", "--port", str(port), "--endpoint", url], r"The bot's page: ",
                      SOLUTIONS / "04_bot")
    try:
        for _ in range(100):  # chalice local listens just after that line
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.2)

        def ask():
            answer = requests.post(f"http://127.0.0.1:{port}/ask", files={"photo": ("photo.jpg", photo, "image/jpeg")},
                                   timeout=30)
            answer.raise_for_status()

        def invoke():
            requests.post(f"{url}/invocations", data=photo, headers={"Content-Type": "image/jpeg"},
                          timeout=30).raise_for_status()

        first = timed(ask, 1)[0]
        page_seconds = timed(ask, ANSWERS)
        endpoint_seconds = timed(invoke, ANSWERS)
    finally:
        for process in (page, endpoint):
            os.killpg(process.pid, signal.SIGTERM)  # and what it started: serve_page.py's chalice local
            process.wait(timeout=15)
    print("### Step 04 — the web page's answer (toy model, on this machine)\n")
    print("| measure | seconds |")
    print("| --- | ---: |")
    print(f"| the first photo (chalice local's first request, the endpoint's first call) | {first:.2f} |")
    print(f"| a photo, median of {ANSWERS} (POST /ask: check, count, endpoint, reply, map) | "
          f"{statistics.median(page_seconds):.2f} |")
    print(f"| the slowest of those {ANSWERS} | {max(page_seconds):.2f} |")
    print(f"| the endpoint alone, median of {ANSWERS} (POST /invocations) | "
          f"{statistics.median(endpoint_seconds):.3f} |")


if __name__ == "__main__":
    main()

"""Step 03's local endpoint under an adversary's load on 127.0.0.1: slow clients, idle keep-alive clients and a burst
of concurrent requests, all at once.

    python -m workshop bench step03_adversary [SERVE_PY ...]       (default: solutions/03_host/serve.py)

Each serve.py (another copy too, e.g. an older one, to compare) runs with its defaults on the step-02 checkpoint model
and meets, together:
- 20 clients that drip a header line or a body byte every 3 s (each for at most 45 s);
- 300 clients that send one GET /ping on a keep-alive connection and stay connected (answers counted for 45 s);
- 500 requests of a 320 x 240 photo, each on a new connection, started together (each given at most 60 s).
It prints, per serve.py, how many of the 500 were answered 200, their p50/p99 latency, how many of the 300 pings were
answered, how long the slowest dripping client was read, and how much the server's memory grew over the burst.
Bounded: about 80 s a server, then it is stopped (SIGTERM, then SIGKILL).
"""
import contextlib
import io
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image

from workshop import checkpoint
from workshop.paths import ROOT, shown

SERVE_PY = ROOT / "solutions" / "03_host" / "serve.py"
DRIPPERS, DRIP_EVERY, DRIP_FOR = 20, 3.0, 45.0
KEEP_ALIVE, KEEP_ALIVE_FOR = 300, 45.0
BURST, REQUEST_TIMEOUT = 500, 60.0
POST = b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n"
PING = b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def photo():
    buffer = io.BytesIO()
    Image.effect_noise((320, 240), 60).convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@contextlib.contextmanager
def serving(serve_py, model_dir):
    """serve.py on a free port: (its URL, its process)."""
    process = subprocess.Popen(
        [sys.executable, str(serve_py), "--model-dir", str(model_dir), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 180)
        match = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline() if ready else "")
        if not match:
            raise SystemExit(f"{serve_py} did not print its URL within 180 s")
        yield match.group(0), process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def resident_mb(process):
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024


def ask(url, body):
    """(status or error name, seconds) of one POST on a new connection."""
    began = time.monotonic()
    request = urllib.request.Request(url + "/invocations", data=body, headers={"Content-Type": "image/jpeg"})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        status = type(error).__name__
    return status, time.monotonic() - began


def drip(address, first, then):
    """Send `first`, then `then` every DRIP_EVERY s until the server answers or closes, for at most DRIP_FOR s:
    the seconds the server went on reading."""
    with socket.create_connection(address, timeout=10) as connection:
        began = time.monotonic()
        with contextlib.suppress(OSError):
            connection.sendall(first)
            while time.monotonic() - began < DRIP_FOR:
                if select.select([connection], [], [], DRIP_EVERY)[0]:
                    break
                connection.sendall(then)
        return time.monotonic() - began


def hold_keep_alive(address):
    """KEEP_ALIVE connections that each send one ping and stay open: how many pings were answered."""
    connections, answered = [], {}
    try:
        for _ in range(KEEP_ALIVE):
            with contextlib.suppress(OSError):
                connection = socket.create_connection(address, timeout=10)
                connections.append(connection)
                connection.sendall(PING)
        deadline = time.monotonic() + KEEP_ALIVE_FOR
        while time.monotonic() < deadline and len(answered) < len(connections):
            waiting = [connection for connection in connections if connection not in answered]
            for connection in select.select(waiting, [], [], 1)[0]:
                try:
                    answered[connection] = connection.recv(65536).startswith(b"HTTP/1.1 200 ")
                except OSError:
                    answered[connection] = False
    finally:
        for connection in connections:
            connection.close()
    return sum(answered.values())


def burst(url, body):
    start = threading.Barrier(BURST)

    def one(_):
        start.wait()
        return ask(url, body)

    with ThreadPoolExecutor(BURST) as pool:
        return list(pool.map(one, range(BURST)))


def percentile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))] if values else float("nan")


def attack(serve_py, model_dir, body):
    with serving(serve_py, model_dir) as (url, process):
        ask(url, body)  # the model has answered once
        parts = urlsplit(url)
        address = (parts.hostname, parts.port)
        before = resident_mb(process)
        with ThreadPoolExecutor(DRIPPERS + 1) as pool:
            drippers = [pool.submit(drip, address, POST, b"X-Drip: 1\r\n") for _ in range(DRIPPERS // 2)]
            drippers += [pool.submit(drip, address, POST + b"Content-Length: 100\r\n\r\n", b"x")
                         for _ in range(DRIPPERS - DRIPPERS // 2)]
            held = pool.submit(hold_keep_alive, address)
            time.sleep(1)
            answers = burst(url, body)
            after = resident_mb(process)
            pings = held.result()
            dripped = [dripper.result() for dripper in drippers]
    times = [seconds for status, seconds in answers if status == 200]
    others = sorted({str(status) for status, _ in answers if status != 200})
    return {
        "answered": len(times), "others": others, "p50": percentile(times, 0.5), "p99": percentile(times, 0.99),
        "pings": pings, "dripped": max(dripped), "grown": after - before, "before": before,
    }


def main(argv=None):
    paths = [Path(path).resolve() for path in (argv if argv is not None else sys.argv[1:])] or [SERVE_PY]
    model_dir = checkpoint.ensure("model")
    body = photo()
    load_before = os.getloadavg()[0]
    rows = [(path, attack(path, model_dir, body)) for path in paths]
    print("### Step 03's local endpoint under an adversary's load\n")
    print(f"| serve.py | 200s of {BURST} | p50 s | p99 s | other answers | keep-alive pings answered of {KEEP_ALIVE} | slowest "
          "dripper read for | RSS growth |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for path, row in rows:
        name = shown(path)
        print("| {} | {} | {:.2f} | {:.2f} | {} | {} | {:.0f} s | {:+.0f} MB (from {:.0f}) |".format(
            name, row["answered"], row["p50"], row["p99"], ", ".join(row["others"]) or "none", row["pings"],
            row["dripped"], row["grown"], row["before"]))
    print(f"\nAt once: {DRIPPERS} clients dripping a header line or a body byte every {DRIP_EVERY:.0f} s, {KEEP_ALIVE} idle keep-alive clients, "
          f"and {BURST} new connections each posting a 320 x 240 JPEG; each serve.py with its defaults, on the step-02 "
          f"checkpoint model; {os.cpu_count()} cores shared with other work (load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after).")


if __name__ == "__main__":
    main()

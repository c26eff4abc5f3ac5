"""demo.py end to end on a small sample: what it prints and writes, and the bad input it meets.

Each demo runs as `make demo` runs it, in a child Python that the suite's network guard watches, so any attempt to
reach AWS or X fails the run.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from workshop import ROOT

DEMO = [sys.executable, "demo.py", "--quick"]
OUTPUTS = ("reply.png", "cells.png", "curves.png", "summary.json")
STAGES = ("data", "training", "endpoint", "bot", "result")
# Credentials that would reach a real account if the demo used them: it must put fake ones in their place.
REAL_LOOKING = {
    "AWS_PROFILE": "whereml-real-account",
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_ENDPOINT_URL": "https://sqs.us-west-2.amazonaws.com",
    "X_CONSUMER_SECRET": "a-real-looking-consumer-secret",
}


def dead_pid():
    """The pid of a process that has finished: what a demo stopped by `kill -9` leaves in demo.pid."""
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid


@pytest.fixture(scope="module")
def busy_port():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory, busy_port):
    """One quick demo over what a hard-stopped earlier demo left behind, asked for a busy port, with credentials
    set; returns (result, out folder)."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    (out / "model").mkdir(parents=True)
    (out / "model" / "stale.txt").write_text("left by an earlier demo")
    (out / "demo.pid").write_text(f"{dead_pid()}\n")
    result = subprocess.run(
        DEMO + ["--out", str(out), "--port", str(busy_port)], cwd=ROOT, env=dict(os.environ, **REAL_LOOKING),
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"demo.py failed:\n{result.stdout}\n{result.stderr}"
    return result, out


def summary(out):
    return json.loads((out / "summary.json").read_text())


def test_the_demo_announces_and_times_every_stage(demo):
    result, out = demo
    for number in range(1, 6):
        assert f"[{number}/5] " in result.stdout, f"stage {number} must print a progress line [{number}/5]"
    assert result.stdout.count(" s)\n") >= 5, "every stage must end with the seconds it took, e.g. '(6.8 s)'"
    seconds = summary(out)["seconds"]
    assert set(STAGES) <= set(seconds) and all(seconds[name] >= 0 for name in STAGES)


@pytest.mark.parametrize("name", OUTPUTS)
def test_the_demo_writes_its_pictures_and_summary(demo, name):
    _, out = demo
    path = out / name
    assert path.is_file(), f"demo.py must write {name} into its --out folder"
    if name.endswith(".png"):
        with Image.open(path) as picture:
            picture.verify()


def test_the_reply_names_the_place_the_endpoint_guessed(demo):
    result, out = demo
    about = summary(out)
    best = about["predictions"][0]
    first_line = about["reply"].splitlines()[0]
    assert first_line.startswith("📍 1. "), f"the reply starts with the best guess, got {first_line!r}"
    assert best["place"] and best["place"] in first_line, "the reply must name the best guess's place"
    assert about["reply"] in result.stdout, "the demo prints the reply exactly as the bot would post it"


def test_the_true_place_of_the_photo_is_printed(demo):
    result, out = demo
    photo = summary(out)["photo"]
    val = [line.split("\t") for line in (out / "data" / "photos.tsv").read_text().splitlines() if "\tval\t" in line]
    assert photo["name"] == val[0][0], "the bot is asked about a val photo, one the network never trained on"
    assert f"taken at {float(val[0][1]):.2f}, {float(val[0][2]):.2f}" in result.stdout
    assert photo["place"] in result.stdout


def test_the_accuracy_table_compares_the_network_with_the_majority_cell(demo):
    result, out = demo
    metrics = json.loads((out / "model" / "metrics.json").read_text())
    network = f"{metrics['final']['val_geo_2500km']:.0%}"
    baseline = f"{metrics['baseline']['baseline_geo_2500km']:.0%}"
    lines = result.stdout.splitlines()
    assert any("the network" in line and line.endswith(network) for line in lines), "no 2500 km share of the network"
    assert any("the majority cell" in line and line.endswith(baseline) for line in lines), "no baseline row"


def test_aws_is_emulated_in_process_and_said_so(demo):
    result, _ = demo
    assert "AWS emulated in-process by moto" in result.stdout


def test_the_endpoint_is_stopped_when_the_demo_ends(demo):
    _, out = demo
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(summary(out)["endpoint"] + "/ping", timeout=2)


@pytest.mark.parametrize(
    "mistake, message, handled",
    [
        pytest.param("stale build/demo", "Removing the earlier demo's",
                     lambda out, port: not (out / "model" / "stale.txt").exists(), id="an earlier demo's folder"),
        pytest.param("stale pid file", "which is no longer running",
                     lambda out, port: not (out / "demo.pid").exists(), id="a demo stopped with kill -9"),
        pytest.param("busy port", "using a free port instead",
                     lambda out, port: not summary(out)["endpoint"].endswith(f":{port}"), id="the port is busy"),
    ],
)
def test_bad_input_is_said_and_handled(demo, busy_port, mistake, message, handled):
    result, out = demo
    assert message in result.stdout, f"{mistake}: demo.py must say so ({message!r})"
    assert handled(out, busy_port), f"{mistake}: demo.py must deal with it and go on"


def test_a_folder_the_demo_did_not_make_is_never_emptied(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = subprocess.run(DEMO + ["--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, "demo.py must refuse an --out folder that a demo did not make"
    assert "was not made by demo.py" in result.stderr, result.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine", "demo.py must leave that folder as it was"


# --- a demo that is still running


def descendants(pid):
    """Every process `pid` started, at any depth (from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def command_line(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_for(condition, what, seconds=240):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def running_demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("running") / "demo"
    process = subprocess.Popen(DEMO + ["--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    wait_for(lambda: (out / "demo.pid").is_file() or process.poll() is not None, "demo.pid")
    yield process, out
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def test_a_second_demo_while_one_runs_says_so_and_stops(running_demo):
    first, out = running_demo
    assert first.poll() is None, "the first demo ended before the second could start"
    second = subprocess.run(DEMO + ["--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert second.returncode == 1, "a second demo in the same folder must stop with exit code 1"
    assert f"A demo is already running (pid {first.pid}" in second.stderr, second.stderr
    assert (out / "demo.pid").read_text().strip() == str(first.pid), "the second demo must leave the first's files"
    assert first.poll() is None, "the second demo must not stop the first"


def test_ctrl_c_stops_the_endpoint_and_leaves_no_process(running_demo):
    demo_process, out = running_demo
    wait_for(lambda: any("serve.py" in command_line(pid) for pid in descendants(demo_process.pid))
             or demo_process.poll() is not None, "the endpoint to start")
    started = descendants(demo_process.pid)
    assert any("serve.py" in command_line(pid) for pid in started), "the demo ended before its endpoint started"
    demo_process.send_signal(signal.SIGINT)
    _, stderr = demo_process.communicate(timeout=60)
    assert demo_process.returncode == 130, f"Ctrl-C must end the demo with exit code 130:\n{stderr}"
    assert "Interrupted" in stderr and "stopped" in stderr, "Ctrl-C must say what the demo did about it"
    left = {pid: command_line(pid) for pid in started if running(pid)}
    assert not left, f"Ctrl-C left these processes running: {left}"
    assert not (out / "demo.pid").exists(), "an interrupted demo must remove its demo.pid"

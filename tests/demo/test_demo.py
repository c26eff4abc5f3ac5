"""The demo (`python -m workshop demo`) end to end on a small sample: what it prints and writes, whose code it runs, and the bad input it meets.

Each demo runs as `make demo` runs it, in a child Python that the suite's network guard watches, so any attempt to
reach AWS or X fails the run. The end-to-end run is an attendee's: a tree laid out like steps/ with steps 1, 3 and 4
finished (their bot's reply has its own touch) and step 2 still the starter, so the solution stands in for it.
"""
import json
import os
import pty
import shutil
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

from workshop import generate, loader
from workshop.paths import ROOT

DEMO = [sys.executable, "-m", "workshop", "demo", "--quick"]
MINE = " (mine)"  # what the attendee's bot adds to each line of its reply
# The attendee's own touch to the reply: each line ends with MINE.
REPLY_TOUCH = f"""

_solution_reply_text = reply_text


def reply_text(predictions):
    return "\\n".join(line + "{MINE}" for line in _solution_reply_text(predictions).splitlines())
"""
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
def attendee_tree(tmp_path_factory):
    """A tree like steps/: steps 1, 3 and 4 finished (copies of the solutions, the bot's reply touched up), step 2
    the pristine starter with its TODOs open."""
    tree = tmp_path_factory.mktemp("attendee") / "steps"
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("01_data", "03_host", "04_bot"):
        shutil.copytree(ROOT / "solutions" / folder, tree / folder, ignore=ignore)
    for relative, content in generate.starter_tree(ROOT)["02_train"].items():  # not steps/: that is the attendee's
        (tree / "02_train" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tree / "02_train" / relative).write_bytes(content)
    with open(tree / "04_bot" / "chalicelib" / "reply.py", "a") as reply:
        reply.write(REPLY_TOUCH)
    return tree


@pytest.fixture(scope="module")
def demo(tmp_path_factory, busy_port, attendee_tree):
    """One quick demo of the attendee's tree (the solution for step 2) over what a hard-stopped earlier demo left
    behind, asked for a busy port, with credentials set; returns (result, out folder)."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    (out / "model").mkdir(parents=True)
    (out / "model" / "stale.txt").write_text("left by an earlier demo")
    (out / "demo.pid").write_text(f"{dead_pid()}\n")
    result = subprocess.run(
        DEMO + ["--tree", str(attendee_tree), "--open-todos", "solution", "--out", str(out), "--port", str(busy_port)],
        cwd=ROOT, env=dict(os.environ, **REAL_LOOKING), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"the demo failed:\n{result.stdout}\n{result.stderr}"
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
    assert path.is_file(), f"the demo must write {name} into its --out folder"
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


def test_the_reply_is_written_by_the_attendees_own_bot(demo):
    result, out = demo
    lines = summary(out)["reply"].splitlines()
    assert lines and all(line.endswith(MINE) for line in lines), (
        f"the attendee's 04_bot ends each reply line with {MINE!r}, but the demo replied {lines}: it must run the "
        "bot of --tree, not the solution's")


def test_the_demo_says_whose_code_ran_step_by_step(demo, attendee_tree):
    result, out = demo
    expected = {
        "sample data": f"your code ({attendee_tree / '01_data'})",
        "training": "the solution (solutions/02_train), 5 TODOs open in yours (02.1, 02.2, 02.3, 02.4, 02.5)",
        "the endpoint": f"your code ({attendee_tree / '03_host'})",
        "the bot": f"your code ({attendee_tree / '04_bot'})",
    }
    for number, (stage, whose) in enumerate(expected.items(), start=1):
        plan = f"   {number}. {stage:<13} — {whose}"
        assert plan in result.stdout.splitlines(), f"the plan must say whose code stage {number} runs: {plan!r}"
        header = next(line for line in result.stdout.splitlines() if line.startswith(f"[{number}/5] "))
        assert header.endswith(f" — {whose}"), f"stage {number}'s header must say whose code runs, got {header!r}"
    assert summary(out)["code"] == expected


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
    assert message in result.stdout, f"{mistake}: the demo must say so ({message!r})"
    assert handled(out, busy_port), f"{mistake}: the demo must deal with it and go on"


@pytest.mark.parametrize("choice", [[], ["--open-todos", "stop"]], ids=["no one to ask", "--open-todos stop"])
def test_open_todos_without_a_choice_stop_at_once_and_say_how_to_choose(attendee_tree, tmp_path, choice):
    out = tmp_path / "demo"
    result = subprocess.run(DEMO + ["--tree", str(attendee_tree), "--out", str(out)] + choice, cwd=ROOT,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, "a step with TODOs open and no choice made must stop the demo"
    assert f"step 2 ({attendee_tree / '02_train'}): 5 TODOs open, 02.1, 02.2, 02.3, 02.4, 02.5" in result.stderr
    assert f"make demo TREE={attendee_tree} OPEN_TODOS=solution" in result.stderr, "say exactly how to choose"
    assert "step 1" not in result.stderr and "step 4" not in result.stderr, "name only the steps with TODOs open"
    assert not out.exists(), "the demo must stop before any work"


def test_at_the_keyboard_the_demo_asks_and_no_stops_it(attendee_tree, tmp_path):
    keyboard, terminal = pty.openpty()
    demo = subprocess.Popen(DEMO + ["--tree", str(attendee_tree), "--out", str(tmp_path / "demo")], cwd=ROOT,
                            stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    os.close(terminal)
    os.write(keyboard, b"n\n")
    stdout, stderr = demo.communicate(timeout=120)
    os.close(keyboard)
    assert "Use the solution for those steps (the output says so)? [y/N]" in stdout, stdout
    assert demo.returncode == 1 and "OPEN_TODOS=solution" in stderr, "answering no stops, saying how to choose"


def test_a_folder_the_demo_did_not_make_is_never_emptied(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = subprocess.run(DEMO + ["--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, "the demo must refuse an --out folder that a demo did not make"
    assert "was not made by the demo" in result.stderr, result.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine", "the demo must leave that folder as it was"


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
    """A demo of the solutions, started once for the tests below, in their order: a second demo meets it, its plan
    is read, then Ctrl-C stops it (each demo started runs the toy world's data stage: seconds)."""
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


def test_the_hosts_demo_runs_the_solutions_and_says_so(running_demo):
    demo_process, _ = running_demo
    plan = [demo_process.stdout.readline() for _ in range(5)]
    assert plan[0] == "Whose code runs:\n", plan
    for number, folder in enumerate(["01_data", "02_train", "03_host", "04_bot"], start=1):
        assert plan[number].rstrip().endswith(f"— the solution (solutions/{folder})"), plan


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


def test_the_reply_picture_rings_where_the_photo_was_taken(demo):
    """The bot's map of the guesses, with a ring at the photo's own position, every pin in view."""
    result, out = demo
    map_image = loader.load(ROOT / "solutions" / "04_bot", "chalicelib.map_image")  # the attendee tree has its copy
    about = summary(out)
    photo = about["photo"]
    expected = map_image.draw_map(about["predictions"], truth=(photo["lat"], photo["lng"]))
    assert (out / "reply.png").read_bytes() == expected, "reply.png: the bot's map with a ring at the photo's place"
    assert "the ring is where the photo was taken" in result.stdout


def test_the_demo_says_where_the_bots_web_page_answers(demo):
    result, _ = demo
    assert "`make serve`, then `make serve-bot` in another terminal, and open http://127.0.0.1:8000/" in result.stdout

"""The attendee's walk: README.md and the step READMEs in order, in one fresh clone, each command after the one
before it, as typed (make, or the `.venv/bin/python -m workshop demo --quick` that the README names for a smaller demo).

Nothing is reached but 127.0.0.1: the public buckets are moto's S3 server (tests/mediaeval_stand_in.py) holding a
small network in LocationNet's format (tests/tiny_locationnet.py), the package index is an address where
nothing answers, and the clone has no Lambda wheels. The tests run in file order and share the clone: each is one
step of the walk, named for what the attendee does.
"""
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

import mediaeval_stand_in as stand_in
from real_photo_model import locationnet_near_the_cape
from standin_bucket import locationnet_files

STEPS = {1: "01_data", 2: "02_train", 3: "03_host", 4: "04_bot"}
PHOTO = "photos/cape-canaveral-falcon9-dscovr.jpg"
# No package index: pip finds nothing here and gives up at once.
OFFLINE = {"PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_RETRIES": "0", "PIP_TIMEOUT": "1"}


@pytest.fixture(scope="module")
def clone(fresh_clone):
    return fresh_clone


@pytest.fixture(scope="module")
def buckets(tmp_path_factory, moto_server):
    """The public buckets on 127.0.0.1: the MediaEval test list and its photos, and a LocationNet whose int8 copy
    cannot agree with it (its classes' scores differ by less than int8 can tell)."""
    import mxnet as mx

    monkeypatch = pytest.MonkeyPatch()
    with stand_in.buckets(monkeypatch, moto_server) as s3:
        folder = tmp_path_factory.mktemp("tied")
        names = locationnet_files(folder)
        params = folder / "RN101-5k500-0012.params"
        saved = mx.nd.load(str(params))
        weights = saved["arg:fc1_weight"]
        mx.random.seed(31)
        saved["arg:fc1_weight"] = weights[0:1].broadcast_to(weights.shape) + 1e-4 * mx.nd.random.normal(
            shape=weights.shape)
        saved["arg:fc1_bias"][:] = 0
        mx.nd.save(str(params), saved)
        for name in names:
            s3.put_object(Bucket=stand_in.TUTORIAL, Key=f"models/{name}", Body=(folder / name).read_bytes(),
                          ACL="public-read")
        yield s3
    monkeypatch.undo()


def make(clone, *goals, ok=True, timeout=900):
    """`make -s GOALS` in the clone, offline; its result (output and errors together), checked when `ok`."""
    result = subprocess.run(["make", "-s", *goals], cwd=clone, env=dict(os.environ, **OFFLINE), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    if ok:
        assert result.returncode == 0, f"make {' '.join(goals)} failed:\n{result.stdout[-3000:]}"
    return result


def demo(clone, *options):
    result = subprocess.run([".venv/bin/python", "-m", "workshop", "demo", "--quick", *options], cwd=clone,
                            env=dict(os.environ, **OFFLINE), text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, timeout=900, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"the demo {' '.join(options)} failed:\n{result.stdout[-3000:]}"
    return result.stdout


def fill(clone, number):
    """The attendee's work on step `number`, done: the solution's files in steps/."""
    folder = STEPS[number]
    shutil.rmtree(clone / "steps" / folder)
    shutil.copytree(clone / "solutions" / folder, clone / "steps" / folder,
                    ignore=shutil.ignore_patterns("__pycache__"))


def test_1_the_demo(clone):
    out = demo(clone)
    assert "Done in" in out and (clone / "build" / "demo" / "reply.png").is_file()


@pytest.mark.parametrize("number", STEPS)
def test_2_each_starter_names_its_first_todo(clone, number):
    result = make(clone, "test-step", str(number), ok=False)
    assert result.returncode != 0 and f"Step {number}, TODO 0{number}.1:" in result.stdout, result.stdout[-2000:]
    assert "Lambda wheels" not in result.stdout, "the clone has no Lambda wheels: test-step must not wait on them"


def test_3_status_shows_where_each_step_stops(clone):
    out = make(clone, "status").stdout
    for number, folder in STEPS.items():
        assert re.search(rf"{number} {folder} .* stops at TODO 0{number}\.1 ", out), out


def test_4_watch_step_names_the_todo_and_ctrl_c_ends_it(clone):
    watch = subprocess.Popen(["make", "-s", "watch-step", "1"], cwd=clone, env=dict(os.environ, **OFFLINE),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen, deadline = "", time.monotonic() + 300
    try:
        while "Hint:" not in seen and time.monotonic() < deadline:
            line = watch.stdout.readline()
            if not line:
                break
            seen += line
    finally:
        os.killpg(watch.pid, signal.SIGINT)
        rest, _ = watch.communicate(timeout=60)
    assert "TODO 01.1" in seen and "Hint:" in seen, seen + rest


def test_5_hint_and_diff_of_the_step(clone):
    assert "TODO 01.1" in make(clone, "hint-step", "1").stdout
    diff = make(clone, "diff-step", "1").stdout
    assert "--- steps/01_data/geotag.py" in diff and 'raise NotImplementedError("TODO 01.1' in diff


def test_6_filled_steps_then_reset_step_1(clone):
    for number in STEPS:
        fill(clone, number)
    out = make(clone, "reset-step", "1").stdout
    assert list((clone / "backups").iterdir()), f"reset-step saves the work first:\n{out}"
    result = make(clone, "test-step", "1", ok=False)
    assert "Step 1, TODO 01.1:" in result.stdout, "the pristine starter again"


def test_7_make_test_is_not_refused_for_the_attendees_steps(clone):
    """`make test` runs the solutions' suites: an edited steps/ is noted, and no suite reads steps/ as a starter."""
    done = subprocess.run([".venv/bin/python", "-m", "pytest", "tests/demo/test_demo.py", "-q", "-p",
                           "no:cacheprovider", "--tree=solutions", "-k", "open_todos_without_a_choice"], cwd=clone,
                          env=dict(os.environ, **OFFLINE), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]
    edited = subprocess.run([".venv/bin/python", "-c", "from workshop import check_generated; "
                             "print(len(check_generated.differences()))"], cwd=clone, capture_output=True, text=True)
    assert int(edited.stdout) > 0, "steps/ holds the attendee's work here"


def test_8_locationnet_refused_int8_then_kept(clone, buckets, tmp_path_factory):
    first = make(clone, "locationnet", "INT8_PHOTOS=5").stdout
    assert "the int8 copy was not kept" in first and "fp32 network in build/locationnet is in place" in first, first
    again = make(clone, "locationnet", "INT8_PHOTOS=5").stdout
    assert "nothing to download" in again and "nothing to redo" in again, again
    near_the_cape = locationnet_near_the_cape(tmp_path_factory)
    kept = make(clone, "locationnet", "INT8_PHOTOS=5", f"FROM={near_the_cape}").stdout
    assert "Wrote model-int8-symbol.json" in kept, kept


def test_9_ask_about_a_photo(clone):
    out = make(clone, "ask", f"PHOTO={PHOTO}").stdout
    assert "km away" in out and list((clone / "build" / "ask").glob("*.png")), out


def test_10_demo_with_locationnet_then_the_demo_again(clone, buckets):
    assert "Done in" in make(clone, "demo", "MODEL=locationnet").stdout
    assert "Done in" in demo(clone)
    out = demo(clone, "--tree", "steps", "--open-todos", "solution")
    assert "your code (steps/03_host)" in out and "the solution (solutions/01_data)" in out


def test_11_evaluate_and_the_slides(clone, buckets):
    out = make(clone, "evaluate", "N=5").stdout
    assert "LocationNet" in out, out
    make(clone, "slides")
    assert list((clone / "build").rglob("*.html")), "make slides renders the deck"


def test_12_clean_keeps_the_downloads_and_test_step_runs_offline(clone):
    out = make(clone, "clean").stdout
    assert "Removed build/demo" in out and "Kept the downloads: build/locationnet" in out, out
    assert (clone / "build" / "locationnet" / "cells.tsv").is_file() and (clone / "build" / "testsets").is_dir()
    result = make(clone, "test-step", "1", ok=False)
    assert "Step 1, TODO 01.1:" in result.stdout and "Lambda wheels" not in result.stdout, result.stdout[-2000:]

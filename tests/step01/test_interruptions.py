"""Stopping prepare.py (Ctrl-C, SIGTERM) at any moment: it stops, says so, exits non-zero, and leaves no temporary
folder, no half-made --out and no worker process behind."""
import multiprocessing.pool
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

# Ctrl-C reaches the terminal's whole process group; SIGTERM (a CI runner, `kill`) reaches prepare.py alone.
STOPS = [  # (how it was stopped, the signal, sent to the group?, seconds after the temporary folder appeared)
    ("Ctrl-C as the run starts its work", signal.SIGINT, True, 0.0),
    ("Ctrl-C while the workers render photos", signal.SIGINT, True, 1.0),
    ("SIGTERM as the run starts its work", signal.SIGTERM, False, 0.0),
    ("SIGTERM while the workers render photos", signal.SIGTERM, False, 1.0),
]
# Ctrl-C just as a pool of workers is shut down at the end of a phase: once lost in a generator's clean-up.
PHASE_ENDS = [("as reading the photos ends", 1), ("as packing train ends", 2), ("as packing val ends", 3)]


def started_its_work(tmp_path):
    return any(path.name.endswith(".partial") for path in tmp_path.iterdir())


def left_behind(tmp_path):
    return sorted(path.name for path in tmp_path.iterdir() if path.name != "photos")


@pytest.mark.parametrize("row", STOPS, ids=[row[0] for row in STOPS])
def test_a_stopped_run_leaves_nothing_behind(tree, tmp_path, row):
    what, signum, to_group, delay = row
    command = [sys.executable, str(tree / "01_data" / "prepare.py"), "--source", "sample", "--limit", "400",
               "--workers", "2", "--out", str(tmp_path / "data")]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not started_its_work(tmp_path) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if not started_its_work(tmp_path):
        run.kill()
        _, err = run.communicate()
        pytest.fail(f"prepare.py ended or took 60 s before it made its *.partial folder (exit {run.returncode}): "
                    f"{err[-2000:]}")
    time.sleep(delay)
    workers = psutil.Process(run.pid).children(recursive=True)
    os.killpg(run.pid, signum) if to_group else run.send_signal(signum)
    _, err = run.communicate(timeout=60)
    assert run.returncode != 0, f"{what}: an interrupted run must not exit 0 as if it had finished: {err[-2000:]}"
    assert "interrupted" in err and "Traceback" not in err, f"{what}: say it was interrupted, no traceback: {err}"
    assert left_behind(tmp_path) == [], f"{what}: temporary folders left behind: {left_behind(tmp_path)}"
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, f"{what}: worker processes {[p.pid for p in alive]} outlived prepare.py"


@pytest.mark.parametrize("row", PHASE_ENDS, ids=[row[0] for row in PHASE_ENDS])
def test_ctrl_c_as_a_phase_ends_stops_the_run(run_prepare, tmp_path, photo_writer, monkeypatch, row):
    what, pool_exit = row
    for number in range(12):
        photo_writer(tmp_path / "photos" / f"p{number}.jpg", 48.85 + number / 1000, 2.35)
    exits, pool_exit_of = [], multiprocessing.pool.Pool.__exit__

    def interrupted(pool, *exc):
        pool_exit_of(pool, *exc)
        exits.append(pool)
        if len(exits) == pool_exit:
            raise KeyboardInterrupt

    monkeypatch.setattr(multiprocessing.pool.Pool, "__exit__", interrupted)
    flags = ["--source", f"photos:{tmp_path / 'photos'}", "--out", str(tmp_path / "data"), "--workers", "2",
             "--t-min", "1", "--image-size", "32", "--val-fraction", "0.3"]
    try:
        run_prepare(flags)
        code = 0
    except SystemExit as stop:
        code = stop.code
    except KeyboardInterrupt:
        code = "a KeyboardInterrupt out of main()"
    assert code == 130, (
        f"Ctrl-C {what} was swallowed (exit {code}): run each phase's workers to their end where their "
        "results are used (loop over them to the end, or list() them), not in a generator's clean-up"
    )
    assert left_behind(tmp_path) == [], f"Ctrl-C {what}: left behind {left_behind(tmp_path)}"

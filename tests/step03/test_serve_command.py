"""`make serve`: step 3's open TODOs are named before anything starts, and the command its banner prints runs from
where the user is. Run as make runs it (the venv taken as installed)."""
import contextlib
import os
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading

import pytest

from workshop import generate
from workshop.paths import ROOT

MAKE = ["make", "-s", "-C", str(ROOT), "-o", ".venv/.installed"]


@pytest.fixture(scope="module")
def starter(tmp_path_factory):
    """The pristine starters (as generated from the solutions, not steps/, which is the attendee's)."""
    tree = tmp_path_factory.mktemp("starter") / "steps"
    for folder, files in generate.starter_tree(ROOT).items():
        for relative, content in files.items():
            (tree / folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (tree / folder / relative).write_bytes(content)
    return tree


def test_open_todos_are_named_and_no_endpoint_starts(starter, model_dir):
    serve = subprocess.Popen(MAKE + ["serve", f"TREE={starter}", f"MODEL={model_dir}", "PORT=0"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = serve.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("make serve started an endpoint on code whose TODOs are open: every request would get a 500")
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGTERM)
            serve.wait(timeout=30)
    assert serve.returncode != 0 and "Serving" not in stdout, stdout
    assert "has TODO 03.1, 03.2, 03.3, 03.4 open" in stderr, stderr
    assert "make test-step 3" in stderr and "make serve TREE=solutions" in stderr


def started(command, cwd):
    """A serve command started in its own session, and the two lines of its banner (read by a thread: a select on
    the pipe would miss a line already in the reader's buffer)."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               start_new_session=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    banner = []
    with contextlib.suppress(queue.Empty):
        while len(banner) < 2:
            banner.append(lines.get(timeout=180))
    return process, banner


@pytest.mark.parametrize("where", ["the repository's root (make serve)", "the step's folder (python serve.py)"])
def test_the_banner_prints_a_command_that_runs_from_there(model_dir, where):
    if where.startswith("the repository"):
        cwd, command = ROOT, MAKE + ["serve", "TREE=solutions", f"MODEL={model_dir}", "PORT=0"]
    else:
        cwd, command = ROOT / "solutions" / "03_host", [sys.executable, "serve.py", "--model-dir", str(model_dir),
                                                        "--port", "0"]
    process, banner = started(command, cwd)
    try:
        assert len(banner) == 2 and re.search(r"http://127\.0\.0\.1:\d+", banner[0]), banner
        asked = subprocess.run(banner[1].strip(), shell=True, cwd=cwd, capture_output=True, text=True, timeout=120)
        assert asked.returncode == 0, f"the banner's command {banner[1].strip()!r} failed:\n{asked.stderr}"
        assert asked.stdout.startswith("Where was ") and "\n1. " in asked.stdout, asked.stdout
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.parametrize("where", ["the repository's root", "elsewhere"])
def test_deploys_try_line_names_files_that_exist_from_there(host, monkeypatch, capsys, tmp_path, where):
    deploy = host("deploy")
    monkeypatch.setattr(deploy, "deploy", lambda *args, **kwargs: None)  # the endpoint: test_deploy.py tests it
    monkeypatch.chdir(ROOT if where == "the repository's root" else tmp_path)
    deploy.main(["deploy", "--model-data", "s3://bucket/model.tar.gz", "--role", "arn:aws:iam::123456789012:role/r"])
    command = capsys.readouterr().out.split("Try: ", 1)[1].splitlines()[0]
    words = shlex.split(command)
    assert words[-2:] == ["--endpoint", "whereml"], command
    assert all(os.path.isfile(word) for word in words[:-2]), f"{command!r}: each file must be there from {where}"

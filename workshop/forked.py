"""Many short pytest runs, each in a fork of one process that has imported the heavy libraries once.

The starter and variant checks run a step's tests on dozens of copies; a fresh `python -m pytest` spends 3-5 s of
each run importing MXNet, the SageMaker SDK, boto3 and moto before the first test. Here one process (the zygote,
`python -m workshop.forked`) imports them once, then forks a child per run that starts pytest at once.

    with Zygote() as zygote:
        code, output = zygote.run(pytest_command, cwd, env, timeout)   # like running the command

The zygote's protocol: a JSON line per run on its stdin ({"id", "args", "isolated" (-P), "cwd", "env", "timeout",
"output"}); a JSON
line per finished run on its stdout ({"id", "code"}); the child's output goes to the "output" file.
"""
import contextlib
import gc
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from workshop.step_tests import STOPPED

# What the step tests import, heaviest first (moto loads a service's emulator on its first request); a library that
# is missing is simply not imported ahead.
MOTO_SERVICES = ("s3", "dynamodb", "ssm", "sqs", "sagemaker", "sagemakerruntime", "applicationautoscaling", "sts",
                 "iam")
HEAVY = ["mxnet", "sagemaker", "moto", "boto3", "botocore.session", "pandas", "scipy.spatial", "chalice",
         "chalice.test", "tweepy", "responses", "PIL.Image", "numpy", "psutil", "pytest"] + [
    f"moto.{service}.{part}" for service in MOTO_SERVICES for part in ("models", "responses")]


class Zygote:
    """A running zygote; `run` may be called from several threads at once."""

    def __init__(self, preload=True):
        self.preload = preload  # False: the runs need none of the HEAVY libraries (e.g. the tooling's small repos)
        self.process = None  # started by the first run: a check whose answers are all kept needs none
        self.scratch = tempfile.TemporaryDirectory(prefix="whereml-zygote-")
        self.errors = Path(self.scratch.name) / "zygote-errors.txt"
        self.lock = threading.Lock()
        self.waiting = {}  # run id -> [threading.Event, exit code]

    def start(self):
        """Start the zygote now, if it is not running: it imports while other work goes on."""
        with self.lock:
            if self.process is None:
                self._start()

    def _start(self):
        """The zygote, importing as the tests' conftest would have them import (the SDK reads its config then)."""
        root = Path(__file__).parent.parent
        env = dict(os.environ, SAGEMAKER_USER_CONFIG_OVERRIDE=str(root / "sagemaker-config.yaml"))
        with open(self.errors, "w") as errors:
            command = [sys.executable, "-m", "workshop.forked"] + ([] if self.preload else ["--no-preload"])
            self.process = subprocess.Popen(command, cwd=root, env=env, text=True, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=errors)
        threading.Thread(target=self._read_answers, daemon=True).start()

    def run(self, command, cwd, env, timeout=None):
        """(exit code, output) of `command` (`python [-P] -m pytest ...`), run in a fork of the zygote."""
        position = command.index("pytest")
        output = Path(self.scratch.name) / f"{threading.get_ident()}-{time.monotonic_ns()}.txt"
        request = {"id": output.name, "args": command[position + 1:], "isolated": "-P" in command[:position],
                   "cwd": str(cwd), "env": dict(env), "timeout": timeout, "output": str(output)}
        done = [threading.Event(), None]
        self.start()
        with self.lock:
            self.waiting[output.name] = done
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        done[0].wait()
        if done[1] is None:
            raise RuntimeError(f"The test runner (python -m workshop.forked) stopped:\n{self.errors.read_text()}")
        return done[1], output.read_text(errors="replace")

    def _read_answers(self):
        for line in self.process.stdout:
            answer = json.loads(line)
            with self.lock:
                done = self.waiting.pop(answer["id"])
            done[1] = answer["code"]
            done[0].set()
        with self.lock:  # the zygote is gone: nobody waits for ever
            for done in self.waiting.values():
                done[0].set()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process:
            self.process.stdin.close()
            self.process.wait()
        self.scratch.cleanup()


def for_root(root):
    """A zygote for the runs of the repository at `root`: preloaded for this one (the tooling's small repos need
    none of the heavy libraries)."""
    return Zygote(preload=Path(root) == Path(__file__).parent.parent)


def shared(zygote, root):
    """`zygote` if one is given, else a new one (`for_root`) for the runs about to start."""
    return contextlib.nullcontext(zygote) if zygote else for_root(root)


def _child(request):
    """In the fork: run pytest as `python [-P] -m pytest args` would, in `cwd` with `env`; never returns."""
    code = 3
    try:
        output = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        sys.stdout = open(1, "w", closefd=False, errors="replace")
        sys.stderr = open(2, "w", closefd=False, errors="replace")
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.dont_write_bytecode = "PYTHONDONTWRITEBYTECODE" in os.environ
        first = [] if request["isolated"] else [request["cwd"]]  # what python -m puts first, unless -P
        sys.path[0:0] = first + [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]
        import pytest

        code = int(pytest.main(request["args"]))
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _start(request):
    """Fork a child for `request`: its pid."""
    pid = os.fork()
    if pid == 0:
        _child(request)
    return pid


def _preload():
    for name in HEAVY:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def serve():
    """The zygote's loop: start a child per request line, answer with its exit code when it ends."""
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # what the libraries print as they load goes with the errors, not among the answers
    if "--no-preload" not in sys.argv:
        _preload()
    gc.freeze()  # what is loaded now lives as long as each child: their collections skip it (and its pages stay shared)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which then closes stdin
    woken, wake = os.pipe()
    os.set_blocking(wake, False)
    signal.set_wakeup_fd(wake)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a child's end writes to `wake`, which wakes select()
    running, pending, requests = {}, b"", sys.stdin.fileno()  # running: pid -> (request, deadline)
    while requests is not None or running:
        deadlines = [deadline for _, deadline in running.values() if deadline]
        wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        readable, _, _ = select.select([woken] + ([requests] if requests is not None else []), [], [], wait)
        if requests in readable:
            data = os.read(requests, 65536)
            requests = requests if data else None
            *lines, pending = (pending + data).split(b"\n")
            for line in lines:
                request = json.loads(line)
                deadline = time.monotonic() + request["timeout"] if request["timeout"] else None
                running[_start(request)] = (request, deadline)
        if woken in readable:
            os.read(woken, 4096)
        _reap(running, answers)


def _reap(running, answers):
    """Answer for every child that has ended, and end those past their deadline."""
    for pid, (request, deadline) in list(running.items()):
        if deadline and time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            with open(request["output"], "a") as output:
                output.write(STOPPED.format(timeout=request["timeout"]))
            code = -signal.SIGKILL
        else:
            ended, status = os.waitpid(pid, os.WNOHANG)
            if not ended:
                continue
            code = os.waitstatus_to_exitcode(status)
        del running[pid]
        answers.write(json.dumps({"id": request["id"], "code": code}) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve()

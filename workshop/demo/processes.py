"""Every process the demo starts, each in its own process group, so that stopping it stops what it started."""
import contextlib
import os
import signal
import subprocess

from workshop.demo import DemoError
from workshop.paths import ROOT, shown


def command_line(command):
    """A command the demo runs, as the reader would type it: `python` and paths from the repository's root."""
    return " ".join(["python"] + [shown(part) if part.startswith("/") else part for part in command[1:]])


class Processes:
    def __init__(self):
        self.started = []

    def start(self, command, log):
        with open(log, "w") as output, _signals_held():
            process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            self.started.append(process)
        return process

    def run(self, command, log, failure):
        if self.start(command, log).wait():
            raise DemoError(f"{failure}. The end of {shown(log)}:\n{tail(log)}")

    def stop_all(self):
        """SIGTERM to each running group (serve.py stops cleanly on it), SIGKILL to what is left 10 s later."""
        running = [process for process in self.started if process.poll() is None]
        for signal_number in (signal.SIGTERM, signal.SIGKILL):
            for process in running:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal_number)
            for process in running:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=10)
            running = [process for process in running if process.poll() is None]


@contextlib.contextmanager
def _signals_held():
    """Ctrl-C or SIGTERM while a process starts comes once it is in the list, so that stop_all stops it too (raised
    inside Popen, it would leave the new process running unknown)."""
    held = []
    previous = {number: signal.signal(number, lambda number, frame: held.append(number))
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if held:
            raise KeyboardInterrupt


def tail(log, lines=15):
    """The last lines of a log file."""
    return "\n".join(log.read_text(errors="replace").replace("\r", "\n").splitlines()[-lines:])

"""Every process the demo starts, each in its own process group, so that stopping it stops what it started."""
import contextlib
import os
import signal
import subprocess

from demo import ROOT, DemoError, shown


class Processes:
    def __init__(self):
        self.started = []

    def start(self, command, log):
        with open(log, "w") as output:
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


def tail(log, lines=15):
    """The last lines of a log file."""
    return "\n".join(log.read_text(errors="replace").replace("\r", "\n").splitlines()[-lines:])

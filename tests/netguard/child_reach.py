"""In a process that a test started while workshop/reach.py records: which lines of the tree under test it runs.

Every process gets an id (WHEREML_REACH_ID, from whoever started it) and reports into
$WHEREML_REACH_DIR/<the test's token>/: started-ID-PID as it starts, data-ID-PID (coverage data) as it ends, and
expected-ID for each process it starts itself; forked-ID-PID when it forks, as a forked copy never reports. reach.py
counts what they ran only when every process expected started and ended with its data.
"""
import atexit
import itertools
import os
import subprocess
from pathlib import Path

import coverage

ID = os.environ["WHEREML_REACH_ID"]
FOLDER = Path(os.environ["WHEREML_REACH_DIR"]) / ID.split(".")[0]
_numbers = itertools.count(1)


def _mark(what):
    (FOLDER / f"{what}-{ID}-{os.getpid()}").touch()


def _started_with_an_id(init):
    """subprocess.Popen's __init__, giving the new process an id of its own that it is expected to report under."""

    def start(self, *args, **kwargs):
        child = f"{ID}.{os.getpid()}-{next(_numbers)}"
        (FOLDER / f"expected-{child}").touch()
        if len(args) > 10:  # env given by position: it goes as it is, and the child is not heard from
            return init(self, *args, **kwargs)
        kwargs["env"] = dict(os.environ if kwargs.get("env") is None else kwargs["env"], WHEREML_REACH_ID=child,
                             WHEREML_REACH_DIR=os.environ["WHEREML_REACH_DIR"],
                             WHEREML_REACH_TREE=os.environ["WHEREML_REACH_TREE"])
        return init(self, *args, **kwargs)

    return start


def _stop_and_save(measure):
    measure.stop()
    measure.save()


def measure():
    _mark("started")
    measuring = coverage.Coverage(data_file=str(FOLDER / f"data-{ID}-{os.getpid()}"), config_file=False,
                                  include=[os.environ["WHEREML_REACH_TREE"] + "/*"])
    measuring.start()
    atexit.register(_stop_and_save, measuring)
    os.register_at_fork(after_in_child=lambda: _mark("forked"))
    subprocess.Popen.__init__ = _started_with_an_id(subprocess.Popen.__init__)

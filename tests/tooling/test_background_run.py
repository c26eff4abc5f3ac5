"""The tests hold when their run ignores Ctrl-C, as a shell's background job (`make test &`) does: the processes they
start and interrupt still get SIGINT (tests/conftest.py). This one runs a real step-1 test, not the small repo's."""
import os
import signal
import subprocess

from workshop import manifest, step_tests

CTRL_C_TEST = ("tests/step01/test_interruptions.py::"
               "test_a_stopped_run_leaves_nothing_behind[Ctrl-C as the run starts its work]")


def test_a_ctrl_c_test_passes_in_a_run_that_ignores_sigint():
    step = manifest.step(1)
    command = step_tests.pytest_command(step, "solutions", "-q", paths=[CTRL_C_TEST])
    run = subprocess.run(command, cwd=step.root, capture_output=True, text=True,
                         env=dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"),
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert run.returncode == 0 and "1 passed" in run.stdout, f"exit {run.returncode}: {run.stdout[-3000:]}{run.stderr}"

"""Test runs in forks of one process that imported the libraries once: each runs as `python -m pytest` would."""
import os
import sys

import pytest

from workshop import forked, step_tests

CHECKS_ITS_WORLD = '''\
import os
import sys


def test_runs_where_and_with_what_it_was_given():
    assert os.getcwd() == os.environ["EXPECTED_CWD"]
    assert os.environ.get("LEFT_OUT") is None
    assert sys.path[0] == os.getcwd()


def test_fails_when_told():
    assert os.environ.get("FAIL") != "1", "told to fail"
'''


@pytest.fixture(scope="module")
def zygote():
    with forked.Zygote(preload=False) as running:  # the real checks preload MXNet & co.; these runs need none
        yield running


def command(*args):
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]


def test_a_run_gets_its_folder_environment_and_exit_code(zygote, tmp_path, monkeypatch):
    (tmp_path / "test_world.py").write_text(CHECKS_ITS_WORLD)
    env = {"PATH": os.environ["PATH"], "EXPECTED_CWD": str(tmp_path), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    monkeypatch.setenv("LEFT_OUT", "the zygote's own environment does not leak into a run")
    code, output = zygote.run(command("test_world.py"), tmp_path, env)
    assert (code, output.splitlines()[-1].split(" in ")[0]) == (0, "2 passed"), output
    code, output = zygote.run(command("test_world.py"), tmp_path, dict(env, FAIL="1"))
    assert code == 1 and "told to fail" in output


def test_runs_from_several_threads_get_their_own_answers(zygote, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    (tmp_path / "test_world.py").write_text(CHECKS_ITS_WORLD)
    env = {"PATH": os.environ["PATH"], "EXPECTED_CWD": str(tmp_path), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    fails = [str(number % 2) for number in range(6)]
    with ThreadPoolExecutor(3) as pool:
        codes = list(pool.map(lambda fail: zygote.run(command("test_world.py"), tmp_path, dict(env, FAIL=fail))[0],
                              fails))
    assert codes == [int(fail) for fail in fails]


def test_a_run_past_its_timeout_is_stopped_and_says_so(zygote, tmp_path):
    (tmp_path / "test_slow.py").write_text("import time\n\n\ndef test_slow():\n    time.sleep(60)\n")
    code, output = zygote.run(command("test_slow.py"), tmp_path, {"PATH": os.environ["PATH"]}, timeout=1)
    assert code < 0 and output.endswith(step_tests.STOPPED.format(timeout=1))

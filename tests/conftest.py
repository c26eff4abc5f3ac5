"""The safety net under every test, and the fixtures that load a step's code from steps/ or solutions/.

Pick the tree with `--tree steps|solutions|DIR` or the TREE environment variable (default: steps).
"""
import gc
import os
import runpy
import signal
from pathlib import Path

import pytest

import moto_server as moto_server_module
from workshop import checkpoint, loader
from workshop.paths import ROOT, tree_folder, tree_name

NETGUARD = Path(__file__).parent / "netguard"
pytest_plugins = ["workshop.todo_marks"]  # the `todo` marker: TODO order, and failures that name their TODO

# Why this file changes the environment on import, for the whole session: the test modules import boto3 and the
# SageMaker SDK as they are collected, and those read credentials, region and config once; and every Python a test
# starts (a step's script, the demo, make) inherits os.environ, so the fake credentials and the network guard
# (PYTHONPATH) reach it too. Fake credentials and a region: nothing can reach a real AWS account.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SECURITY_TOKEN="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-west-2",
    AWS_REGION="us-west-2",
    AWS_CONFIG_FILE=os.devnull,
    AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    SAGEMAKER_USER_CONFIG_OVERRIDE=str(ROOT / "sagemaker-config.yaml"),
    PYTHONPATH=os.pathsep.join(filter(None, [str(NETGUARD), os.environ.get("PYTHONPATH")])),
)
for variable in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"):
    os.environ.pop(variable, None)
# The same guard that every child Python gets through PYTHONPATH, in this process too.
runpy.run_path(str(NETGUARD / "sitecustomize.py"))
# Tests send Ctrl-C to the processes they start. A shell's background job (`make test &`) ignores SIGINT, and so
# would they: with a handler here, they start with the default one instead (a handler is reset when a program starts).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_finish(session):
    """What the tests' modules imported (MXNet, the SDK, moto, ...) lives as long as the run: the garbage collector
    need not look at it again (each full collection over it takes half a second)."""
    gc.freeze()


def pytest_unconfigure(config):
    """The run is over: pytest's collection at its cleanup (for warnings of objects freed late) and the process's at
    exit need not walk what the tests made either (1-2 s a process, which xdist and a test run's caller waited for)."""
    gc.freeze()


def pytest_addoption(parser):
    parser.addoption(
        "--tree",
        default=None,
        help="whose code to test: steps (your work), solutions, or a folder laid out like them",
    )


@pytest.fixture(scope="session")
def tree(request):
    """The folder that holds 01_data ... 04_bot under test."""
    chosen = tree_name(request.config.getoption("--tree"))
    path = tree_folder(chosen)
    assert path.is_dir(), f"--tree {chosen}: no such folder"
    return path


@pytest.fixture(scope="session")
def load(tree):
    """load("01_data", "prepare") imports prepare.py from the tree under test."""
    return lambda folder, module: loader.load(tree / folder, module)


@pytest.fixture(scope="session")
def moto_server():
    """The URL of moto's server on 127.0.0.1, started once, when a test first asks for it (moto_server.py); a test
    that fills it empties it first (moto_server.emptied)."""
    with moto_server_module.running() as url:
        yield url


@pytest.fixture(scope="session")
def artifact():
    """artifact("data") / artifact("model"): a checkpoint made by the solutions (see workshop.toml)."""
    return checkpoint.ensure

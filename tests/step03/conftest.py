"""Step 03's fixtures: the step's modules, the step-02 checkpoint model, its validation photos, and bad requests."""
import io
import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tiny_locationnet import write_locationnet
from workshop import ordering

PRIVATE_HOSTS_ALLOWED = "pbs.twimg.com,10.0.0.7,127.0.0.1"
# The handlers (every TODO) first, deploying against moto (slow to set up) last.
ORDER = [
    "test_inference.py", "test_locationnet.py", "test_quantize.py", "test_fetch.py",
    "test_predict.py", "test_photos.py", "test_model_thread.py", "test_framing.py", "test_load.py", "test_serve.py",
    "test_deploy.py",
]
READ_TIMEOUT = "2"  # serve.py's --read-timeout in the tests: a slow client is cut off in seconds


def pytest_collection_modifyitems(items):
    ordering.files_in_order(items, Path(__file__).parent, ORDER)


@pytest.fixture(scope="session")
def host(load):
    """host("inference") is 03_host/code/inference.py (or any module of 03_host) of the tree under test."""
    return lambda name: load("03_host", name)


@pytest.fixture(scope="session")
def model_dir(artifact):
    """The model folder that step 02's solution trains on the sample data (MAINTAINING.md, "Model folder")."""
    return str(artifact("model"))


@pytest.fixture(scope="session")
def data_dir(artifact):
    return str(artifact("data"))


@pytest.fixture(scope="session")
def locator(host, model_dir):
    return host("inference").model_fn(model_dir)


@pytest.fixture(scope="session")
def val_photos(data_dir):
    """[(JPEG bytes, class)] of the dataset's validation photos."""
    import mxnet as mx

    records = mx.recordio.MXIndexedRecordIO(f"{data_dir}/val.idx", f"{data_dir}/val.rec", "r")
    photos = []
    for key in records.keys:
        header, jpeg = mx.recordio.unpack(records.read_idx(key))
        photos.append((jpeg, int(header.label[0])))
    records.close()
    return photos


@pytest.fixture(scope="session")
def big_jpeg(val_photos):
    """A validation photo blown up to a phone-photo size, 1024 x 768."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.open(io.BytesIO(val_photos[0][0])).convert("RGB").resize((1024, 768)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def bad_request(big_jpeg):
    """Row -> (body, content type, status, word): the truncated JPEG is cut from a real photo."""

    def make(row):
        _, body, content_type, status, word = row
        return (big_jpeg[: len(big_jpeg) // 2] if body == "truncated" else body), content_type, status, word

    return make


@pytest.fixture(autouse=True)
def private_hosts_allowed(monkeypatch):
    """Allow-list the private and loopback hosts of BAD_REQUESTS, so the address check (not the list) refuses them."""
    monkeypatch.setenv("WHEREML_URL_HOSTS", PRIVATE_HOSTS_ALLOWED)


def start_serve_py(tree, model_dir, log, read_timeout=READ_TIMEOUT):
    """`python serve.py --model-dir <model_dir> --port 0` in its own process, its log (stderr) in the file `log`."""
    with open(log, "w") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(tree / "03_host" / "serve.py"), "--model-dir", model_dir, "--port", "0",
             "--read-timeout", read_timeout],
            stdout=subprocess.PIPE, stderr=stderr, text=True,
            env=dict(os.environ, WHEREML_URL_HOSTS=PRIVATE_HOSTS_ALLOWED, PYTHONUNBUFFERED="1"),
        )
    process.log = log
    return process


def served(process):
    """{"url": the URL that serve.py prints once it is ready, "process": it}."""
    ready, _, _ = select.select([process.stdout], [], [], 120)
    line = process.stdout.readline() if ready else ""
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    if not match:
        last = (process.log.read_text().strip().splitlines() or ["(nothing)"])[-1]
        pytest.fail(f"serve.py must print the URL it serves on (http://127.0.0.1:PORT); it printed {line!r}, and "
                    f"its log ends with: {last}")
    return {"url": match.group(0), "process": process}


@pytest.fixture(scope="session")
def serve_py(tree, model_dir, tmp_path_factory):
    """serve.py on the checkpoint model, killed at the session's end."""
    process = start_serve_py(tree, model_dir, tmp_path_factory.mktemp("serve") / "serve.log")
    yield process
    if process.poll() is None:
        process.kill()


# The files whose tests use the session's serve.py (`server`): `make test-step 3` runs them in one process, so one
# serve.py serves them all.
SERVED_BY = {"test_serve.py", "test_framing.py", "test_load.py"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return ordering.one_worker_for(SERVED_BY, config, log)


@pytest.fixture(scope="session", autouse=True)
def serve_py_early(request):
    """A run of every test in one process starts serve.py with the session: it takes seconds to import MXNet, while
    the other tests run. Under xdist, or in a run that ends at its first failure (-x, as `make test-step` on a step
    with stubs left), it starts when a test needs it: in one worker only, maybe never."""
    if request.config.option.maxfail != 1 and "PYTEST_XDIST_WORKER" not in os.environ:
        request.getfixturevalue("serve_py")


@pytest.fixture(scope="session")
def server(serve_py):
    """The session's serve.py: its URL and its process (no test stops it)."""
    return served(serve_py)


@pytest.fixture
def own_server(tree, model_dir, tmp_path):
    """A serve.py of the test's own, which it may stop, that waits a minute for a slow client: its URL and its
    process."""
    process = start_serve_py(tree, model_dir, tmp_path / "serve.log", read_timeout="60")
    yield served(process)
    if process.poll() is None:
        process.kill()


@pytest.fixture(scope="module")
def patient_server(tree, model_dir, tmp_path_factory):
    """A serve.py that waits a minute for a slow client, shared by the tests of a file that never stop it (each
    start imports MXNet and loads the model: seconds)."""
    process = start_serve_py(tree, model_dir, tmp_path_factory.mktemp("patient") / "serve.log", read_timeout="60")
    yield served(process)
    if process.poll() is None:
        process.kill()


@pytest.fixture(scope="session")
def locationnet_dir(tmp_path_factory):
    """A small conv net in LocationNet's format (tiny_locationnet.py)."""
    return str(write_locationnet(tmp_path_factory.mktemp("locationnet")))

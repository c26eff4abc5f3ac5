"""The host's downloads and checks (workshop/download.py, locationnet.py, testset.py, model_folder.py, ask's input),
tested against stand-ins on 127.0.0.1. They run the host's code, the package and solutions/, whatever --tree says."""
import socket

import pytest

from standin_bucket import locationnet_files  # the stand-in bucket's small LocationNet-shaped network
from workshop import loader
from workshop.paths import ROOT


@pytest.fixture(scope="session")
def host():
    """host("inference") is solutions/03_host/inference.py: the code `make locationnet` and `make ask` run."""
    return lambda name: loader.load(ROOT / "solutions" / "03_host", name)


@pytest.fixture(scope="module")
def good_files(tmp_path_factory):
    """A small network in LocationNet's format with one class per line of the vendored grids.txt."""
    return locationnet_files(tmp_path_factory.mktemp("good"))


@pytest.fixture
def get(monkeypatch, tmp_path):
    """get(url) runs `make locationnet` with LOCATIONNET_URL=url into tmp_path/locationnet: None when it succeeds,
    else the paragraph it exits with."""
    from workshop import locationnet as module

    def run(url, *arguments):
        monkeypatch.setenv("LOCATIONNET_URL", url)
        try:
            module.main(["--out", str(tmp_path / "locationnet"), *arguments])
        except SystemExit as stopped:
            assert stopped.code, "a failure exits non-zero"
            return str(stopped.code)
        return None

    return run


@pytest.fixture(scope="module")
def offline_url():
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/mmcommons-tutorial/models/"

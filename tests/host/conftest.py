"""The host's downloads and checks (workshop/download.py, locationnet.py, testset.py, model_folder.py, ask's input),
tested against stand-ins on 127.0.0.1. They run the host's code, the package and solutions/, whatever --tree says."""
import sys

import pytest

from workshop import ROOT, loader

# The stand-in bucket and the small LocationNet-shaped network that step 03's tests also use.
sys.path.insert(0, str(ROOT / "tests" / "step03"))


@pytest.fixture(scope="session")
def host():
    """host("inference") is solutions/03_host/inference.py: the code `make locationnet` and `make ask` run."""
    return lambda name: loader.load(ROOT / "solutions" / "03_host", name)

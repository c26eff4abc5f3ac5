"""Fixtures for step 02: the step-01 dataset (a checkpoint made by the solutions) and one local training run."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workshop import ordering

# Small and quick: 2 epochs on the sample's 64-px photos, 56-px crops. The kvstore is given, so that this run checks
# the training itself; test_train.py checks the kvstore train.py chooses (TODO 02.4).
TRAIN_FLAGS = ["--epochs", "2", "--image-size", "56", "--batch-size", "32", "--kvstore", "local"]


@pytest.fixture(scope="session")
def data(artifact):
    """The dataset folder step 01's solution makes from the sample (cells.tsv, train/val .rec/.idx, ...)."""
    return artifact("data")


@pytest.fixture(scope="session")
def cells(data):
    return (data / "cells.tsv").read_text().splitlines()[1:]


@pytest.fixture(scope="session")
def train(load):
    return load("02_train", "train")


@pytest.fixture(scope="session")
def step_folder(tree):
    return tree / "02_train"


def run(command, **kwargs):
    """Run a command to the end; fail the test with its output when it fails."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    if result.returncode != 0:
        # An error that names its TODO ("ValueError: TODO 02.3: ...") comes first: the report then names that TODO.
        named = re.search(r"^\w+: (TODO \d\d\.\d+: .*)$", result.stderr, re.M)
        pytest.fail(f"{named[1] + chr(10) if named else ''}{' '.join(map(str, command))} failed:\n{result.stdout}\n"
                    f"{result.stderr}")
    return result


@pytest.fixture(scope="session")
def trained(step_folder, data, tmp_path_factory):
    """`launch.py --local` on the sample: the model folder it made and what train.py printed."""
    model_dir = tmp_path_factory.mktemp("trained") / "model"
    launch = [sys.executable, str(step_folder / "launch.py"), "--local", "--data", str(data)]
    result = run(launch + ["--model-dir", str(model_dir)] + TRAIN_FLAGS)
    return model_dir, result.stdout


@pytest.fixture(scope="session")
def trained_metrics(trained):
    """metrics.json of the local training run."""
    return json.loads((trained[0] / "metrics.json").read_text())


@pytest.fixture
def dataset_copy(data, tmp_path):
    """A copy of the sample dataset that a test may break."""
    return Path(shutil.copytree(data, tmp_path / "data"))


# Each piece's quick tests first, whole training runs last: a participant's unfinished TODO fails its own test first.
ORDER = [
    "test_geo.py", "test_network.py", "test_dataset.py", "test_metrics.py", "test_train.py", "test_model_folder.py",
    "test_checkpoints.py", "test_shards.py", "test_launch.py", "test_distributed.py",
]


def pytest_collection_modifyitems(items):
    ordering.files_in_order(items, Path(__file__).parent, ORDER)


# The files whose tests use the local training run (`trained`): `make test-step 2` runs them in one process, so it
# trains once.
TRAINED_BY = {"test_train.py", "test_model_folder.py", "test_launch.py"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return ordering.one_worker_for(TRAINED_BY, config, log)

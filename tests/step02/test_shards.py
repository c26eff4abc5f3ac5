"""A dataset in shards (what prepare.py --processing makes): each worker reads and checks only its own shards, and
every worker takes the same number of steps. Two real workers on such a dataset: test_distributed.py."""
import json

import numpy as np
import pytest

from sharded import labels_of, make_sharded


@pytest.fixture(scope="module")
def dataset(load):
    return load("02_train", "dataset")


@pytest.fixture(scope="module")
def sharded(data, tmp_path_factory):
    return make_sharded(data, tmp_path_factory.mktemp("sharded") / "data", train_shards=5, val_shards=2)


def test_each_worker_reads_only_its_own_train_shards(dataset, sharded):
    def read(part):
        labels = []
        for batch in dataset.train_batches(str(sharded), 50, 56, 64, flip=0, seed=0, workers=2, rank=part):
            labels += [tuple(row[1:].round(4).tolist()) for row in batch.label[0].asnumpy()[: 50 - batch.pad]]
        return sorted(set(labels))

    own = {0: ["train-00000", "train-00002", "train-00004"], 1: ["train-00001", "train-00003"]}
    for part, names in own.items():
        assert read(part) == sorted(set(labels_of(sharded, names))), f"worker {part} of 2 reads shards {names}"


def test_every_worker_checks_its_own_shards_and_takes_as_many_steps(dataset, sharded):
    listed = json.loads((sharded / "dataset.json").read_text())["shards"]
    shares = [sum(listed["train"][f"train-0000{n}"] for n in numbers) for numbers in ((0, 2, 4), (1, 3))]
    for part in (0, 1):
        data = dataset.check_dataset(str(sharded), str(sharded), part, 2)
        assert len(data["train_labels"]) == shares[part], "train_labels: the photos of this worker's shards"
        assert data["share"] == min(shares), "every worker steps through the smallest share (dist_sync waits for all)"
        assert len(data["val_labels"]) == sum(listed["val"].values()), "every worker evaluates every val shard"


def test_val_reads_every_val_shard_once(dataset, sharded):
    seen = []
    for batch in dataset.val_batches(str(sharded), 64, 56, 64):
        seen += [tuple(row[1:].round(4).tolist()) for row in batch.label[0].asnumpy()[: 64 - batch.pad]]
    assert sorted(seen) == labels_of(sharded, ["val-00000", "val-00001"])


def test_another_workers_broken_shard_does_not_stop_this_one(dataset, sharded, tmp_path):
    (tmp_path / "data").mkdir()
    for path in sharded.iterdir():
        (tmp_path / "data" / path.name).write_bytes(path.read_bytes())
    (tmp_path / "data" / "train-00001.rec").write_bytes(b"not a record")
    data = dataset.check_dataset(str(tmp_path / "data"), str(tmp_path / "data"), 0, 2)
    assert np.all(data["train_labels"][:, 0] >= 0)


@pytest.mark.parametrize(
    "parts, remove, message",
    [
        (6, None, "holds 5 train shards for 6 workers: make the dataset with more shards"),
        (2, "train-00002.idx", "has no train-00002.idx: point the channel at the dataset folder"),
        (2, "val-00001.rec", "has no val-00001.rec"),
    ],
)
def test_a_dataset_without_shards_for_every_worker_is_one_sentence(dataset, sharded, tmp_path, parts, remove, message):
    (tmp_path / "data").mkdir()
    for path in sharded.iterdir():
        if path.name != remove:
            (tmp_path / "data" / path.name).write_bytes(path.read_bytes())
    with pytest.raises(SystemExit, match=message):
        dataset.check_dataset(str(tmp_path / "data"), str(tmp_path / "data"), 0, parts)

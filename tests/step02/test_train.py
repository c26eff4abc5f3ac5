"""train.py: it refuses bad input before training, picks its kvstore and its saver, runs on Python 3.8, learns."""
import os

import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon

from python38 import assert_runs_on_python_3_8


@pytest.mark.todo("02.4")
@pytest.mark.parametrize(
    "requested, hosts, gpus, dmlc_role, expected",
    [
        ("", ["algo-1"], 0, None, "local"),
        ("", ["algo-1"], 1, None, "device"),
        ("", ["algo-1", "algo-2"], 0, None, "dist_sync"),
        ("", ["algo-1"], 0, "worker", "dist_sync"),
        ("dist_async", ["algo-1", "algo-2"], 0, None, "dist_async"),
        ("", ["algo-1"], 4, None, "device"),
        ("", ["algo-1", "algo-2", "algo-3"], 0, None, "dist_sync"),
        ("", ["algo-1"], 0, "server", "dist_sync"),
        ("", ["algo-1"], 0, "scheduler", "dist_sync"),
    ],
    ids=["one host", "one GPU", "two hosts", "a launcher's worker", "asked for", "four GPUs", "three hosts",
         "a launcher's server", "a launcher's scheduler"],
)
def test_kvstore_is_dist_sync_when_several_hosts_train(train, monkeypatch, requested, hosts, gpus, dmlc_role, expected):
    if dmlc_role:
        monkeypatch.setenv("DMLC_ROLE", dmlc_role)
    else:
        monkeypatch.delenv("DMLC_ROLE", raising=False)
    assert train.choose_kvstore(requested, hosts, gpus) == expected, (
        f"--kvstore {requested!r} with hosts {hosts}, {gpus} GPU(s), DMLC_ROLE={dmlc_role}: expected {expected} "
        "(dist_sync for several hosts or any DMLC_ROLE: the launcher's servers and scheduler run train.py too; "
        "else device with any number of GPUs and local without)"
    )


def one_step(train, images_per_step, contexts=(mx.cpu(),)):
    """train_epoch for one step of plain SGD on 8 photos (4 numbers each, 3 classes) with a single Dense layer, its
    batch split over `contexts` (one slice each, as over the GPUs of a SageMaker host).

    Returns the loss it reported, and the weights and bias before and after the step.
    """
    contexts = list(contexts)
    rng = np.random.RandomState(0)
    photos = rng.normal(size=(8, 4)).astype(np.float32)
    labels = np.stack([rng.randint(0, 3, 8), rng.uniform(-90, 90, 8), rng.uniform(-180, 180, 8)], axis=1)
    net = gluon.nn.Dense(3, in_units=4)
    net.initialize(mx.init.Normal(0.5), ctx=contexts)
    before = [net.weight.data(contexts[0]).asnumpy(), net.bias.data(contexts[0]).asnumpy()]
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    batches = mx.io.NDArrayIter(mx.nd.array(photos), mx.nd.array(labels.astype(np.float32)), batch_size=8)
    try:
        loss = train.train_epoch(net, trainer, batches, 1, contexts, images_per_step)
    except UserWarning:  # trainer.step found a gradient that backward never wrote
        pytest.fail("no gradient reached the weights: call backward on the losses recorded under "
                    "`with autograd.record():` before trainer.step")
    except mx.MXNetError as error:
        said = next((line for line in str(error).splitlines() if "MXNetError" in line), str(error))
        if "computational graph" in said or "is_recording" in said:
            pytest.fail("no gradient reached the weights (backward found no recorded graph): run the network and "
                        "the loss inside `with autograd.record():`, then call backward on those losses")
        shapes = " The loss takes the network's scores first, then the labels: loss_fn(net(x), y)." if (
            "shape" in said.lower()) else ""
        pytest.fail(f"MXNet refused the training step: {said.strip()}.{shapes}")
    after = [net.weight.data(contexts[0]).asnumpy(), net.bias.data(contexts[0]).asnumpy()]
    return loss, before, after, photos, labels[:, 0].astype(int)


def softmax_cross_entropy(weight, bias, photos, classes):
    """Each photo's loss, and the gradient of their sum with respect to weight and bias (worked out by hand)."""
    scores = photos @ weight.T + bias
    probabilities = np.exp(scores - scores.max(1, keepdims=True))
    probabilities /= probabilities.sum(1, keepdims=True)
    losses = -np.log(probabilities[np.arange(len(classes)), classes])
    probabilities[np.arange(len(classes)), classes] -= 1
    return losses, [probabilities.T @ photos, probabilities.sum(0)]


@pytest.mark.todo("02.2")
@pytest.mark.parametrize("workers, contexts", [(1, 1), (2, 1), (1, 2)],
                         ids=["one worker", "two workers", "two contexts (GPUs) on one worker"])
def test_a_training_step_moves_the_weights_by_the_gradient_per_photo(train, workers, contexts):
    images_per_step = 8 * workers  # with 2 workers, the servers sum the gradients of 16 photos
    loss, before, after, photos, classes = one_step(train, images_per_step, [mx.cpu(i) for i in range(contexts)])
    losses, gradients = softmax_cross_entropy(*before, photos, classes)
    assert loss == pytest.approx(losses.mean(), rel=1e-4), (
        f"train_epoch reported a loss of {loss:.4f}, not the mean {losses.mean():.4f} of the photos' losses: keep "
        "`losses` one loss a photo (loss_fn(net(x), y)), never their mean or sum, for every (x, y) slice of "
        f"`data` and `labels` (one a context: {contexts} here)"
    )
    moved = np.concatenate([(b - a).ravel() for b, a in zip(before, after)])
    expected = np.concatenate([0.1 * g.ravel() / images_per_step for g in gradients])
    assert np.abs(moved).max() > 0, "the weights did not move: call trainer.step after backward"
    ratio = moved @ expected / (expected @ expected)
    assert ratio == pytest.approx(1, rel=1e-3), (
        f"the step was {ratio:.3g} times the right size: call backward on the photos' own losses and "
        f"trainer.step(images_per_step) (here {images_per_step}, the photos of all {workers} worker(s) whose gradients "
        f"were summed), so the update uses the mean gradient a photo; with {contexts} context(s), backward on the "
        "losses of every one"
    )


@pytest.mark.parametrize(
    "hosts, current, rank, saves",
    [
        (["algo-1"], "algo-1", 0, True),
        (["algo-1", "algo-2"], "algo-1", 1, True),
        (["algo-1", "algo-2"], "algo-2", 0, False),
        (["algo-1"], "algo-1", 1, False),  # a second worker on the same machine (MXNet's launcher)
    ],
)
def test_only_the_first_host_saves(load, hosts, current, rank, saves):
    assert load("02_train", "workload").saves_model(hosts, current, rank) is saves


def test_container_code_runs_on_python_3_8(step_folder):
    sources = {path.name: path.read_text() for path in step_folder.glob("*.py")}
    assert_runs_on_python_3_8(sources, "training container")


def test_unknown_arguments_are_ignored_as_sagemaker_may_add_some(train, dataset_copy, capsys):
    args = train.parse_args(["--train", str(dataset_copy), "--epochs", "3", "--some-platform-flag", "1"])
    assert args.epochs == 3 and "--some-platform-flag" in capsys.readouterr().out
    assert os.path.samefile(args.train, dataset_copy)


@pytest.fixture
def bad(dataset_copy, tmp_path):
    """Ways to break a run: each returns the arguments for train.main."""
    base = ["--train", str(dataset_copy), "--model-dir", str(tmp_path / "model")]
    base += ["--output-data-dir", str(tmp_path / "out")]

    def empty_rec():
        for name in ("train.rec", "train.idx"):
            (dataset_copy / name).write_bytes(b"")
        return base

    def labels_outside_cells():
        lines = (dataset_copy / "cells.tsv").read_text().splitlines()
        (dataset_copy / "cells.tsv").write_text("\n".join(lines[:3]) + "\n")
        return base

    def labels_without_positions():
        records = mx.recordio.MXIndexedRecordIO(str(dataset_copy / "train.idx"), str(dataset_copy / "train.rec"), "w")
        records.write_idx(0, mx.recordio.pack(mx.recordio.IRHeader(0, 3.0, 0, 0), b"not even a photo"))
        records.close()
        return base

    def unwritable_model_dir():
        (tmp_path / "a-file").write_text("")
        return base[:2] + ["--model-dir", str(tmp_path / "a-file" / "model")] + base[4:]

    return {
        "missing channel": lambda: base[2:],
        "channel without a dataset": lambda: ["--train", str(tmp_path)] + base[2:],
        "empty .rec": empty_rec,
        "labels outside cells.tsv": labels_outside_cells,
        "labels without lat/lng": labels_without_positions,
        "unknown network": lambda: base + ["--network", "resnet7_v9"],
        "pretrained weights our network lacks": lambda: base + ["--pretrained", "1"],
        "batch larger than the data": lambda: base + ["--batch-size", "100000"],
        "crop larger than the photos": lambda: base + ["--image-size", "500"],
        "model dir not writable": unwritable_model_dir,
    }


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing channel", "No training data: set SM_CHANNEL_TRAIN"),
        ("channel without a dataset", "has no cells.tsv, dataset.json, train.rec, train.idx"),
        ("empty .rec", "train.rec holds no photos"),
        ("labels outside cells.tsv", "train.rec has labels outside cells.tsv"),
        ("labels without lat/lng", "train.rec labels its photos with 1 number(s), not [class, lat, lng]"),
        ("unknown network", "Unknown --network 'resnet7_v9'"),
        ("pretrained weights our network lacks", "has no pretrained weights: pass --pretrained 0"),
        ("batch larger than the data", "--batch-size 100000 is more than the"),
        ("crop larger than the photos", "--image-size 500 does not fit"),
        ("model dir not writable", "Cannot write to"),
    ],
)
def test_bad_input_stops_before_training_with_one_sentence(train, bad, monkeypatch, capsys, tmp_path, case, message):
    monkeypatch.delenv("SM_CHANNEL_TRAIN", raising=False)
    monkeypatch.delenv("SM_CHANNEL_VAL", raising=False)
    with pytest.raises(SystemExit) as stopped:
        train.main(bad[case]())
    said = str(stopped.value.code)
    assert message in said, f"{case}: expected a sentence with {message!r}, not {said!r}"
    assert "epoch=" not in capsys.readouterr().out, "bad input should stop the run before any evaluation or training"
    assert not (tmp_path / "model" / "model-symbol.json").exists()


def test_flip_takes_0_or_1(train, dataset_copy, capsys):
    with pytest.raises(SystemExit):
        train.main(["--train", str(dataset_copy), "--flip", "yes"])
    assert "--flip: invalid" in capsys.readouterr().err


@pytest.mark.todo("02.2")
def test_training_learns_to_place_photos(trained_metrics):
    metrics = trained_metrics
    untrained, final, baseline = metrics["epochs"][0], metrics["final"], metrics["baseline"]
    epochs = [entry["epoch"] for entry in metrics["epochs"]]
    assert epochs == [0, 1, 2], "metrics.json should list epochs 0 (the untrained network), 1 and 2"
    assert final["val_loss"] < untrained["val_loss"], (
        f"After training, the val loss is {final['val_loss']:.3f}, no lower than the untrained network's "
        f"{untrained['val_loss']:.3f}: check the training step (record, backward, trainer.step)."
    )
    assert final["val_top1"] > max(untrained["val_top1"], baseline["baseline_top1"]), (
        f"The trained network names the right cell for {final['val_top1']:.0%} of val photos, no better than the "
        f"untrained one ({untrained['val_top1']:.0%}) or always answering the biggest cell "
        f"({baseline['baseline_top1']:.0%}): check the training step (record, backward, trainer.step)."
    )


@pytest.mark.todo("02.3")
def test_the_trained_network_places_photos_nearer_than_the_biggest_cell(trained_metrics):
    untrained, final = trained_metrics["epochs"][0], trained_metrics["final"]
    baseline = trained_metrics["baseline"]["baseline_geo_2500km"]
    assert final["val_geo_2500km"] > max(untrained["val_geo_2500km"], baseline), (
        f"The trained network places {final['val_geo_2500km']:.0%} of val photos within 2500 km, no more than the "
        f"untrained network ({untrained['val_geo_2500km']:.0%}) or always answering the biggest cell ({baseline:.0%}), "
        "while it names the right cell far more often: check how geo_accuracy measures the distances."
    )

"""checkpoints.py: after every epoch a checkpoint; a run killed part-way picks up where the newest one left off."""
import json
import subprocess
import sys

import mxnet as mx
import numpy as np
from mxnet import gluon


def test_checkpoint_restores_the_network_and_the_optimizer(load, tmp_path):
    checkpoints = load("02_train", "checkpoints")

    def model():
        net = gluon.nn.Dense(3, in_units=4)
        net.initialize(mx.init.Xavier())
        return net, gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.1})

    net, trainer = model()
    with mx.autograd.record():
        loss = net(mx.nd.ones((2, 4))).sum()
    loss.backward()
    trainer.step(2)
    checkpoints.save(str(tmp_path), 1, net, trainer, [{"epoch": 0}, {"epoch": 1}])
    checkpoints.save(str(tmp_path), 2, net, trainer, [{"epoch": 0}, {"epoch": 1}, {"epoch": 2}])
    kept = sorted(path.name for path in tmp_path.iterdir())
    assert kept == ["epoch-0002.json", "epoch-0002.params", "epoch-0002.states"], "keep the newest checkpoint only"

    fresh, fresh_trainer = model()
    assert checkpoints.resume(str(tmp_path), fresh, fresh_trainer) == [{"epoch": 0}, {"epoch": 1}, {"epoch": 2}]
    assert np.array_equal(fresh.weight.data().asnumpy(), net.weight.data().asnumpy())
    assert fresh_trainer._optimizer.num_update == trainer._optimizer.num_update == 1


def test_no_checkpoint_means_a_fresh_start(load, tmp_path):
    checkpoints = load("02_train", "checkpoints")
    assert checkpoints.newest_epoch(str(tmp_path)) == 0


def test_training_resumes_after_being_killed(step_folder, train, data, tmp_path, capsys):
    checkpoint_dir = tmp_path / "checkpoints"
    args = [
        "--train", str(data), "--model-dir", str(tmp_path / "model"), "--output-data-dir", str(tmp_path / "output"),
        "--checkpoint-dir", str(checkpoint_dir), "--epochs", "2", "--image-size", "48", "--batch-size", "32",
    ]
    # A spot interruption: the job is killed once epoch 1 is logged, somewhere in epoch 2.
    job = subprocess.Popen(
        [sys.executable, "train.py"] + args, cwd=step_folder,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    seen = []
    for line in job.stdout:
        seen.append(line)
        if line.startswith("epoch=1 "):
            job.kill()
            break
    job.wait()
    assert seen[-1].startswith("epoch=1 "), "train.py never logged epoch 1:\n" + "".join(seen)
    first_run = json.loads((checkpoint_dir / "epoch-0001.json").read_text())

    train.main(args)  # SageMaker starts the job again, with the checkpoints copied back
    out = capsys.readouterr().out
    assert "Resuming after epoch 1" in out, "a restarted run should load the newest checkpoint in --checkpoint-dir"
    assert "epoch=2 " in out, "the restarted run should train epoch 2"
    assert "epoch=1 " not in out and "epoch=0 " not in out, "the restarted run should not redo epochs 0 and 1"
    metrics = json.loads((tmp_path / "model" / "metrics.json").read_text())
    assert [entry["epoch"] for entry in metrics["epochs"]] == [0, 1, 2]
    assert metrics["epochs"][:2] == first_run, "the metrics of epochs 0-1 should come from the first run's checkpoint"

"""Checkpoints for spot training: the network, the optimizer and the metrics so far, after every epoch.

SageMaker copies --checkpoint-dir (/opt/ml/checkpoints) to S3 as it changes and back after a spot interruption, so a
restarted job picks up at the epoch after the newest checkpoint. When several hosts train, the optimizer's state
lives on the parameter servers: a checkpoint then keeps the network and the metrics (pass trainer=None).
"""
import glob
import json
import os


def _paths(folder, epoch):
    stem = os.path.join(folder, "epoch-%04d" % epoch)
    return stem + ".params", stem + ".states", stem + ".json"


def newest_epoch(folder):
    """The last epoch with a complete checkpoint in `folder` (its .json is written last), or 0."""
    epochs = [int(os.path.basename(path)[6:10]) for path in glob.glob(os.path.join(folder, "epoch-*.json"))]
    return max(epochs, default=0)


def save(folder, epoch, net, trainer, history):
    """Write epoch `epoch`'s checkpoint, then remove the older ones."""
    os.makedirs(folder, exist_ok=True)
    params, states, metrics = _paths(folder, epoch)
    net.save_parameters(params)
    if trainer:
        trainer.save_states(states)
    with open(metrics + ".tmp", "w") as file:
        json.dump(history, file, indent=1)
    os.replace(metrics + ".tmp", metrics)
    for older in range(1, epoch):
        for path in _paths(folder, older):
            if os.path.exists(path):
                os.remove(path)


def resume(folder, net, trainer):
    """Load the newest checkpoint in `folder` into `net` (and `trainer`); return its metrics history ([] if none)."""
    epoch = newest_epoch(folder)
    if not epoch:
        return []
    params, states, metrics = _paths(folder, epoch)
    net.load_parameters(params, ctx=net.collect_params().list_ctx())
    if trainer:
        trainer.load_states(states)
    with open(metrics) as file:
        return json.load(file)

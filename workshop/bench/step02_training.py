"""Step 02 on this CPU: training images/s of the networks, whether the RecordIO reader keeps up, and the demo run.

    python -m workshop bench step02_training
"""
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mxnet as mx
from mxnet import gluon

from workshop import checkpoint, loader, manifest
from workshop.paths import ROOT

STEP = ROOT / "solutions" / "02_train"
dataset = loader.load(STEP, "dataset")
network = loader.load(STEP, "network")
train = loader.load(STEP, "train")


def rate(work, images_per_call, seconds=4.0):
    """Images per second of `work()` over about `seconds`, after two warm-up calls."""
    work(), work()
    calls, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        work()
        calls += 1
    return calls * images_per_call / (time.perf_counter() - started)


class SameBatch:
    """One batch already in memory, handed out again and again: the training step without any reading."""

    def __init__(self, size, batch, classes):
        labels = mx.nd.array([[i % classes, 0.0, 0.0] for i in range(batch)])
        self.batch = mx.io.DataBatch([mx.nd.random.uniform(shape=(batch, 3, size, size))], [labels])

    def next(self):
        return self.batch


def trainer_for(name, classes, ctx):
    net = network.build_network(name, classes, 0, ctx)
    return net, gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.001})


def training_step_rate(name, size, batch, classes):
    """Forward, backward and update of `name`, fed from memory."""
    ctx = [mx.cpu()]
    net, trainer = trainer_for(name, classes, ctx)
    batches = SameBatch(size, batch, classes)
    return rate(lambda: train.train_epoch(net, trainer, batches, 1, ctx, batch), batch)


def reader_rate(data, size, batch, resize):
    """The training reader alone: decode, random crop, flip, normalise, epoch after epoch."""
    readers = (dataset.train_batches(str(data), batch, size, resize, flip=1, seed=seed) for seed in itertools.count())
    batches = itertools.chain.from_iterable(readers)
    return rate(lambda: next(batches), batch)


def pipeline_rate(data, size, batch, resize, classes):
    """Training epochs fed by the reader, as train.py runs them."""
    ctx = [mx.cpu()]
    net, trainer = trainer_for(network.DEFAULT_NETWORK, classes, ctx)
    steps = len(dataset.read_labels(str(data), "train")) // batch
    seeds = itertools.count()

    def epoch():
        batches = dataset.train_batches(str(data), batch, size, resize, flip=1, seed=next(seeds))
        train.train_epoch(net, trainer, batches, steps, ctx, batch)

    return rate(epoch, steps * batch, seconds=6.0)


def demo_run(data):
    """The `model` checkpoint's own command (workshop.toml), timed, with what it reached."""
    command = list(manifest.artifacts()["model"].command)
    with tempfile.TemporaryDirectory() as scratch:
        model_dir = Path(scratch) / "model"
        command = [part.format(python=sys.executable, path=model_dir, data=data) for part in command]
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        seconds = time.perf_counter() - started
        metrics = json.loads((model_dir / "metrics.json").read_text())
    return seconds, metrics


def main():
    data = checkpoint.ensure("data")
    about = json.loads((data / "dataset.json").read_text())
    resize, classes, batch, size = about["image_size"], about["cells"], 64, about["image_size"] * 7 // 8
    default = network.DEFAULT_NETWORK
    step = training_step_rate(default, size, batch, classes)
    reader = reader_rate(data, size, batch, resize)
    pipeline = pipeline_rate(data, size, batch, resize, classes)
    rows = [
        (f"training step, {default} (default), {size} px, batch {batch}", step),
        (f"training step, resnet18_v1, {size} px, batch {batch}",
         training_step_rate("resnet18_v1", size, batch, classes)),
        ("training step, resnet101_v1 (LocationNet's size), 224 px, batch 8",
         training_step_rate("resnet101_v1", 224, 8, 1000)),
        (f"RecordIO reader alone (decode, random crop, flip, normalise), {size} px", reader),
        (f"reader + training step, {default}, {size} px (as train.py runs)", pipeline),
    ]
    seconds, metrics = demo_run(data)
    final, baseline = metrics["final"], metrics["baseline"]
    print("### Step 02: training on this CPU\n")
    print("| what | images/s |\n| --- | ---: |")
    for what, images_per_second in rows:
        print(f"| {what} | {images_per_second:,.{1 if images_per_second < 10 else 0}f} |")
    print(
        f"\nThe reader alone is {reader / step:.1f}x as fast as the training step. Fed by it (its threads decode the "
        f"next batches while the network trains), training runs at {pipeline / step:.0%} of its speed on a batch "
        f"already in memory.\n\n"
        f"Demo run (the `model` checkpoint: {about['photos']} sample photos, {classes} cells, "
        f"{len(metrics['epochs']) - 1} epochs): {seconds:.1f} s in all; {final['val_geo_2500km']:.0%} of val photos "
        f"within 2500 km, {final['val_geo_750km']:.0%} within 750 km "
        f"({final['val_geo_750km'] / max(baseline['baseline_geo_750km'], 1e-9):.1f}x the majority cell's "
        f"{baseline['baseline_geo_750km']:.0%}), top-1 {final['val_top1']:.0%}."
    )


if __name__ == "__main__":
    main()

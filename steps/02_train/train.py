"""WhereML step 02: train a network to tell in which cell of the globe a photo was taken.

A SageMaker script-mode entry point that runs anywhere. SageMaker (and `launch.py --local`) start it as
    python train.py --epochs 10 --batch-size 64 --learning-rate 0.005 ...
with the data, model and output folders in SM_* environment variables. One host trains alone (kvstore local or
device). Several hosts train together through MXNet's parameter server (kvstore dist_sync): each worker reads its
share of the photos and pushes its gradients; the servers sum them, update the weights, and every worker pulls the
same new weights. The first host saves the model.
"""
import argparse
import json
import os
import time

import mxnet as mx
from mxnet import autograd, gluon

import checkpoints
import dataset
import metrics
import model_folder
import network
import workload

SPOT_CHECKPOINTS = "/opt/ml/checkpoints"  # what SageMaker copies to and from checkpoint_s3_uri


def parse_args(argv=None):
    """Hyperparameters arrive as --key value; where things are comes from SageMaker's environment."""
    env = os.environ
    parser = argparse.ArgumentParser(description="Train a WhereML geolocation network (SageMaker script mode).")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64, help="photos per step on each worker")
    parser.add_argument("--learning-rate", type=float, default=0.005, help="at the start; it decays to 0 (cosine)")
    parser.add_argument("--optimizer", default="adam")
    parser.add_argument("--network", default=network.DEFAULT_NETWORK, help="ours or a Gluon model-zoo name")
    parser.add_argument("--pretrained", type=int, choices=(0, 1), default=0, help="1: start from ImageNet weights")
    parser.add_argument("--image-size", type=int, default=0, help="the crop the network sees (0: 7/8 of the photos)")
    parser.add_argument("--flip", type=int, choices=(0, 1), default=1, help="1: random left-right flips in training")
    parser.add_argument("--checkpoint-dir", default=SPOT_CHECKPOINTS if os.path.isdir(SPOT_CHECKPOINTS) else "")
    parser.add_argument("--kvstore", default="", help="default: dist_sync on several hosts, device on GPUs, else local")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train", default=env.get("SM_CHANNEL_TRAIN"))
    parser.add_argument("--val", default=env.get("SM_CHANNEL_VAL"), help="default: the train channel")
    parser.add_argument("--model-dir", default=env.get("SM_MODEL_DIR", "model"))
    parser.add_argument("--output-data-dir", default=env.get("SM_OUTPUT_DATA_DIR", "output"))
    parser.add_argument("--hosts", type=json.loads, default=env.get("SM_HOSTS", '["algo-1"]'))
    parser.add_argument("--current-host", default=env.get("SM_CURRENT_HOST", "algo-1"))
    parser.add_argument("--num-gpus", type=int, default=int(env.get("SM_NUM_GPUS", "0")))
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        print("Ignoring what train.py does not know: " + " ".join(unknown))
    args.val = args.val or args.train
    return args



def train_epoch(net, trainer, batches, steps, ctx, images_per_step):
    """`steps` batches of this worker's share of the photos; return the mean training loss."""
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    total, photos = 0.0, 0
    for _ in range(steps):
        batch = batches.next()
        data = gluon.utils.split_and_load(batch.data[0], ctx)
        labels = gluon.utils.split_and_load(batch.label[0][:, 0], ctx)
        raise NotImplementedError("TODO 02.2: one training step: forward under autograd.record, backward, trainer.step")
        total += sum(float(loss.sum().asscalar()) for loss in losses)
        photos += batch.data[0].shape[0]
    return total / photos


def choose_kvstore(requested, hosts, num_gpus):
    """--kvstore if given; else dist_sync when several hosts train together (or MXNet's launcher started this
    worker: DMLC_ROLE is set), device with GPUs, local otherwise."""
    if requested:
        return requested
    raise NotImplementedError("TODO 02.4: choose the kvstore: dist_sync when several hosts (or DMLC_ROLE), else device or local")


def main(argv=None):
    args = parse_args(argv)
    kvstore = mx.kv.create(choose_kvstore(args.kvstore, args.hosts, args.num_gpus))
    workers, rank = kvstore.num_workers, kvstore.rank
    part, parts = workload.reading_part(args.hosts, args.current_host, workers, rank)
    data = dataset.check_dataset(args.train, args.val, part, parts)
    cells, resize = data["cells"], data["resize"]
    image_size = workload.crop_size(args.image_size, resize)
    mx.random.seed(args.seed)
    print("kvstore=%s workers=%d rank=%d" % (kvstore.type, workers, rank), flush=True)
    shards = dataset.shards(args.train, "train", part, parts)
    if shards:
        print("reading train shards %s" % " ".join(sorted(shards)), flush=True)
    steps = workload.steps_per_epoch(data["share"], args.batch_size, workers)
    saver = workload.saves_model(args.hosts, args.current_host, rank)
    writable = [args.model_dir, args.output_data_dir] if saver else []
    model_folder.check_writable(*writable + ([args.checkpoint_dir] if args.checkpoint_dir else []))
    ctx = [mx.gpu(i) for i in range(args.num_gpus)] or [mx.cpu()]
    net = network.build_network(args.network, len(cells), args.pretrained, ctx)
    trainer = workload.make_trainer(net, args, kvstore, steps)
    # The optimizer's state can be checkpointed where it lives: in this process, unless the servers hold it.
    local_trainer = None if "dist" in kvstore.type else trainer
    baseline = metrics.majority_baseline(data["train_labels"], data["val_labels"], cells)
    metrics.log(baseline)

    def val_batches():
        return dataset.val_batches(args.val, args.batch_size, image_size, resize)

    history = checkpoints.resume(args.checkpoint_dir, net, local_trainer) if args.checkpoint_dir else []
    if history:
        print("Resuming after epoch %d from %s" % (history[-1]["epoch"], args.checkpoint_dir), flush=True)
    else:
        history.append(dict(epoch=0, **metrics.evaluate(net, val_batches(), ctx, cells)))  # the untrained network
        metrics.log(history[-1])
    for epoch in range(len(history), args.epochs + 1):
        started = time.time()
        batches = dataset.train_batches(
            args.train, args.batch_size, image_size, resize, args.flip, args.seed + epoch, parts, part
        )
        loss = train_epoch(net, trainer, batches, steps, ctx, args.batch_size * workers)
        entry = {"epoch": epoch, "train_loss": loss}
        entry.update(metrics.evaluate(net, val_batches(), ctx, cells))
        entry["seconds"] = time.time() - started
        history.append(entry)
        if args.checkpoint_dir:
            checkpoints.save(args.checkpoint_dir, epoch, net, local_trainer, history)
        metrics.log(entry)
    if saver:
        config = {"resize": resize, "image_size": image_size, "network": args.network, "classes": len(cells)}
        model_folder.save(
            net, args.model_dir, args.output_data_dir, os.path.join(args.train, "cells.tsv"), config, history, baseline
        )


if __name__ == "__main__":
    main()

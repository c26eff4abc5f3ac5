"""The work of train.py's hosts and workers, finished for you: which share of the photos each worker reads, how many
steps they all take, which one saves the model, the crop the network sees, and the trainer (whose optimizer the
parameter server runs when train.py's kvstore is dist_sync)."""
import mxnet as mx
from mxnet import gluon

import checkpoints


def saves_model(hosts, current_host, rank):
    """The first host saves the model; when several workers share it (MXNet's launcher on one machine), rank 0."""
    return current_host == hosts[0] and (len(hosts) > 1 or rank == 0)


def crop_size(requested, resize):
    """The square the network sees: --image-size, or 7/8 of the photos' short side (56 of 64, 224 of 256)."""
    size = requested or resize * 7 // 8
    if not 0 < size <= resize:
        raise SystemExit(
            f"--image-size {size} does not fit the dataset's {resize}-px photos: pass --image-size "
            f"{resize * 7 // 8} (or anything up to {resize}), or make the dataset again with larger photos."
        )
    return size


def steps_per_epoch(share, batch_size, workers):
    """Every worker takes the same number of steps (dist_sync waits for all), each on its own share of the photos:
    as many as the smallest share holds batches."""
    steps = share // batch_size
    if not steps:
        raise SystemExit(
            f"--batch-size {batch_size} is more than the {share} training photos of the smallest share of "
            f"{workers} worker(s): pass a smaller --batch-size."
        )
    return steps


def reading_part(hosts, current_host, workers, rank):
    """(part, parts): which share of the photos this worker reads. On SageMaker one worker runs on each host, in
    SM_HOSTS order; several workers on one machine (MXNet's launcher) go by their kvstore rank."""
    if len(hosts) > 1:
        return hosts.index(current_host), len(hosts)
    return rank, workers


def make_trainer(net, args, kvstore, steps):
    """Adam (or --optimizer) whose learning rate falls along a half cosine to 0 over all the epochs' steps.

    A resumed run counts on from the epochs already done. With dist_sync the servers keep the weights and run the
    optimizer: a worker pushes gradients and pulls weights.
    """
    done = checkpoints.newest_epoch(args.checkpoint_dir) if args.checkpoint_dir else 0
    schedule = mx.lr_scheduler.CosineScheduler(steps * args.epochs, base_lr=args.learning_rate)
    optimizer = mx.optimizer.create(
        args.optimizer, learning_rate=args.learning_rate, lr_scheduler=schedule, begin_num_update=done * steps
    )
    return gluon.Trainer(net.collect_params(), optimizer, kvstore=kvstore)

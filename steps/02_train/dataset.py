"""The dataset folder that step 01 made: its cells, a check of its files, and the RecordIO readers that feed the
network.

The preprocessing is the one definition step 03 repeats when it serves the model (MAINTAINING.md): RGB, short side
`resize`, a crop of `image_size` (random when training, the centre when evaluating), values scaled to 0..1, minus
MEAN, divided by STD, layout CHW.
"""
import csv
import json
import os

import mxnet as mx
import numpy as np

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def read_cells(folder):
    """cells.tsv -> one dict a class, in class order, with `lat`/`lng` as floats."""
    with open(os.path.join(folder, "cells.tsv"), newline="", encoding="utf-8") as file:
        cells = list(csv.DictReader(file, delimiter="\t"))
    for cell in cells:
        cell["lat"], cell["lng"] = float(cell["lat"]), float(cell["lng"])
    return cells


def shards(folder, split, part=0, parts=1):
    """The names of the <split>-NNNNN.rec shards of a sharded dataset that worker `part` of `parts` reads (every val
    shard for every worker), with their photo counts; {} for a dataset of one <split>.rec."""
    if not os.path.isfile(os.path.join(folder, "dataset.json")):
        return {}  # a val channel of its own holds val.rec and val.idx
    with open(os.path.join(folder, "dataset.json")) as file:
        listed = json.load(file).get("shards", {}).get(split, {})
    names = sorted(listed)
    return {name: listed[name] for name in (names[part::parts] if split == "train" else names)}


def recordio_files(folder, split, part=0, parts=1):
    """The .rec files (without their suffix) of `split` that worker `part` of `parts` reads."""
    own = shards(folder, split, part, parts)
    return [os.path.join(folder, name) for name in sorted(own)] if own else [os.path.join(folder, split)]


def read_labels(folder, split, part=0, parts=1):
    """Every record's label in the worker's <split> .rec files as rows [class, lat, lng] (images not decoded)."""
    labels = []
    for path in recordio_files(folder, split, part, parts):
        records = mx.recordio.MXRecordIO(path + ".rec", "r")
        record = records.read()
        while record:
            labels.append(mx.recordio.unpack(record)[0].label)
            record = records.read()
        records.close()
    labels = np.array(labels, dtype=np.float64)
    if len(labels) and labels.shape[1:] != (3,):
        raise SystemExit(
            f"{split}.rec labels its photos with {labels[0].size} number(s), not [class, lat, lng]: make the dataset "
            "with step 01 (`make data`)."
        )
    return labels.reshape(-1, 3)


def _check_files(folder, names):
    missing = [name for name in names if not os.path.isfile(os.path.join(folder, name))]
    if missing:
        raise SystemExit(
            f"{folder} has no {', '.join(missing)}: point the channel at the dataset folder step 01 made "
            "(`make data`, or `make checkpoint-step 2`)."
        )


def smallest_share(train_dir, parts, photos):
    """The training photos of the worker that reads the fewest (dist_sync: every worker takes as many steps)."""
    every = shards(train_dir, "train")
    if not every:
        return photos // parts
    if len(every) < parts:
        raise SystemExit(
            f"{train_dir} holds {len(every)} train shards for {parts} workers: make the dataset with more shards "
            "(prepare.py --shard-photos) or train on fewer instances."
        )
    return min(sum(shards(train_dir, "train", part, parts).values()) for part in range(parts))


def check_dataset(train_dir, val_dir, part=0, parts=1):
    """Refuse a dataset that cannot be trained on, in one sentence; else return what training needs to know.

    Worker `part` of `parts` reads (and so checks) only its own shards of a sharded dataset.
    """
    if not train_dir:
        raise SystemExit(
            "No training data: set SM_CHANNEL_TRAIN (SageMaker sets it for the 'train' channel, launch.py --local "
            "too) or pass --train DIR, the dataset folder step 01 made."
        )
    for folder, split in ((train_dir, "train"), (val_dir, "val")):
        paths = recordio_files(train_dir, split, part, parts)  # the train channel's dataset.json lists the shards
        names = [os.path.basename(path) + suffix for path in paths for suffix in (".rec", ".idx")]
        _check_files(folder, ["cells.tsv", "dataset.json"] + names if split == "train" else names)
    with open(os.path.join(train_dir, "dataset.json")) as file:
        resize = int(json.load(file)["image_size"])
    cells = read_cells(train_dir)
    labels = {"train": read_labels(train_dir, "train", part, parts), "val": read_labels(val_dir, "val")}
    for split, rows in labels.items():
        if not len(rows):
            raise SystemExit(f"{split}.rec holds no photos: make the dataset again with step 01 (`make data`).")
        classes = rows[:, 0]
        outside = classes[(classes < 0) | (classes >= len(cells)) | (classes != np.round(classes))]
        if len(outside):
            raise SystemExit(
                f"{split}.rec has labels outside cells.tsv (e.g. class {outside[0]:g}, but cells.tsv has "
                f"{len(cells)} classes, 0..{len(cells) - 1}): make cells.tsv and the .rec files in one run of step 01."
            )
    share = smallest_share(train_dir, parts, len(labels["train"]))
    return {
        "cells": cells, "resize": resize, "train_labels": labels["train"], "val_labels": labels["val"], "share": share
    }


def _records(paths, batch_size, image_size, resize, **options):
    """An ImageRecordIter over one .rec (with its .idx) or over several shards (MXNet reads a;b;c one after another)."""
    if len(paths) == 1:
        options["path_imgidx"] = paths[0] + ".idx"
    return mx.io.ImageRecordIter(
        path_imgrec=";".join(path + ".rec" for path in paths),
        data_shape=(3, image_size, image_size),
        label_width=3,
        batch_size=batch_size,
        resize=resize,
        mean_r=MEAN[0] * 255, mean_g=MEAN[1] * 255, mean_b=MEAN[2] * 255,
        std_r=STD[0] * 255, std_g=STD[1] * 255, std_b=STD[2] * 255,
        preprocess_threads=os.cpu_count() or 1,
        verbose=False,
        **options
    )


def train_batches(folder, batch_size, image_size, resize, flip, seed, workers=1, rank=0):
    """Shuffled training batches with a random crop (and a left-right flip when `flip`), from this worker's share:
    its own shards of a sharded dataset, else its part of train.rec.

    A fresh reader each epoch (with its own seed) gives every epoch its own order and the same order after a resume.
    """
    own = shards(folder, "train", rank, workers)
    parted = {} if own else {"num_parts": workers, "part_index": rank}
    return _records(
        recordio_files(folder, "train", rank, workers), batch_size, image_size, resize,
        shuffle=True, seed=seed, rand_crop=True, rand_mirror=bool(flip), **parted
    )


def val_batches(folder, batch_size, image_size, resize):
    """Every validation photo once, centre-cropped; `batch.pad` says how many rows of the last batch are padding."""
    return _records(recordio_files(folder, "val"), batch_size, image_size, resize)

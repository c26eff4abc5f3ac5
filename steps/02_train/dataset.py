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


def read_labels(folder, split):
    """Every record's label in <split>.rec as an array of rows [class, lat, lng] (the images are not decoded)."""
    records = mx.recordio.MXRecordIO(os.path.join(folder, split + ".rec"), "r")
    labels = []
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


def check_dataset(train_dir, val_dir):
    """Refuse a dataset that cannot be trained on, in one sentence; else return what training needs to know."""
    if not train_dir:
        raise SystemExit(
            "No training data: set SM_CHANNEL_TRAIN (SageMaker sets it for the 'train' channel, launch.py --local "
            "too) or pass --train DIR, the dataset folder step 01 made."
        )
    needed = [(train_dir, ("cells.tsv", "dataset.json", "train.rec", "train.idx")), (val_dir, ("val.rec", "val.idx"))]
    for folder, names in needed:
        missing = [name for name in names if not os.path.isfile(os.path.join(folder, name))]
        if missing:
            raise SystemExit(
                f"{folder} has no {', '.join(missing)}: point the channel at the dataset folder step 01 made "
                "(`make data`, or `make checkpoint-step 2`)."
            )
    with open(os.path.join(train_dir, "dataset.json")) as file:
        resize = int(json.load(file)["image_size"])
    cells = read_cells(train_dir)
    labels = {"train": read_labels(train_dir, "train"), "val": read_labels(val_dir, "val")}
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
    return {"cells": cells, "resize": resize, "train_labels": labels["train"], "val_labels": labels["val"]}


def _records(folder, split, batch_size, image_size, resize, **options):
    return mx.io.ImageRecordIter(
        path_imgrec=os.path.join(folder, split + ".rec"),
        path_imgidx=os.path.join(folder, split + ".idx"),
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
    """Shuffled training batches with a random crop (and a left-right flip when `flip`), from this worker's share.

    A fresh reader each epoch (with its own seed) gives every epoch its own order and the same order after a resume.
    """
    return _records(
        folder, "train", batch_size, image_size, resize,
        shuffle=True, seed=seed, rand_crop=True, rand_mirror=bool(flip), num_parts=workers, part_index=rank,
    )


def val_batches(folder, batch_size, image_size, resize):
    """Every validation photo once, centre-cropped; `batch.pad` says how many rows of the last batch are padding."""
    return _records(folder, "val", batch_size, image_size, resize)

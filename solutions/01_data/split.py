"""Train/val split inside every cell, the same for the same seed, and photos.tsv: where every photo went."""
import csv

import numpy as np

COLUMNS = ["photo", "lat", "lng", "class", "split", "reason"]
SPARSE = "in a cell with fewer than t_min photos"


def split_cells(kept, val_fraction, seed):
    """{photo index: "train" or "val"}: about val_fraction of each cell's photos go to val (at least one if it has
    two or more), so every class is measured."""
    rng = np.random.RandomState(seed)
    splits = {}
    for _, members in kept:
        val, train = split_cell(members, val_fraction, rng)
        splits.update({index: "val" for index in val.tolist()})
        splits.update({index: "train" for index in train.tolist()})
    return splits


def split_cell(members, val_fraction, rng):
    """(val, train) arrays of one cell's photos; split_cells draws from `rng` cell after cell, in class order."""
    shuffled = rng.permutation(members)
    count = round(len(shuffled) * val_fraction)
    if val_fraction > 0 and len(shuffled) > 1:
        count = min(max(count, 1), len(shuffled) - 1)
    return shuffled[:count], shuffled[count:]


def write_photos(path, photos, classes, splits, skipped, left_out=None):
    """photos.tsv: the usable photos in source order (class -1 and split `excluded` for dropped ones, with the reason
    from `left_out` {index: reason} or SPARSE), then the skipped ones with the reason."""
    left_out = left_out or {}
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for index, photo in enumerate(photos):
            split = splits.get(index, "excluded")
            reason = "" if index in splits else left_out.get(index, SPARSE)
            number = classes.get(index, -1) if index in splits else -1
            writer.writerow([photo.name, f"{photo.lat:.6f}", f"{photo.lng:.6f}", number, split, reason])
        for photo in skipped:
            writer.writerow([photo.name, "", "", -1, "excluded", photo.reason])

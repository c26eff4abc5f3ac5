"""Partition at scale: the metadata of millions of photos -> cells.tsv and manifest shards, one packer's work each.

Two passes over the metadata file, a chunk at a time (metadata.py). The first keeps a few numbers a photo (its leaf
cell id, row and position: about 40 bytes, 1.4 GB for 33.9 M photos) and runs partition.py's own adaptive split on
them (cellids.SortedLeaves), then split.py's train/val split, cell by cell. The second writes every kept photo into
manifest-NNNNN.tsv (photo, hash, lat, lng, class, split), about `shard_photos` photos each, in file order.
The same photos give the same cells, classes and splits as prepare.py's one-machine path.
"""
import math

import numpy as np

import cellids
import cells
import geotag
import metadata
import mmcommons
import partition
import photos
import split
from errors import BadInput

SHARD_PHOTOS = 50_000  # ~7.5 GB of originals (~150 KB each), ~1.5 GB of RecordIO: what an instance's disk holds
COLUMNS = ["photo", "hash", "lat", "lng", "class", "split"]


def read_positions(path, limit):
    """(leaf cell ids, row numbers) of the rows to partition, every row's (lat, lng), the row count, and
    {reason: rows} for the rows set aside: a photo_id or hash not of YFCC100M's shape (mmcommons.PHOTO_ID, it names
    a file), a photo_id listed before (the first row is kept), an impossible position."""
    points, possible, photo_ids, named, total = [], [], [], [], 0
    for chunk in metadata.read_chunks(path):
        if limit is not None and total >= limit:
            break
        chunk = chunk.iloc[: None if limit is None else limit - total]
        lat, lng = chunk["lat"].to_numpy(), chunk["lng"].to_numpy()
        possible.append(np.fromiter(map(geotag.is_possible, lat, lng), bool, len(chunk)))
        shaped = (chunk["photo_id"].str.fullmatch(mmcommons.PHOTO_ID.pattern)
                  & chunk["hash"].str.fullmatch(mmcommons.PHOTO_HASH.pattern)).to_numpy(bool)
        photo_ids.append(chunk["photo_id"].to_numpy()[shaped].astype(np.uint64))  # at most 19 digits: fits
        named.append(np.flatnonzero(shaped) + total)
        points.append(np.column_stack([lat, lng]))
        total += len(chunk)
    if not total:
        raise BadInput(f"--metadata {path} lists no photos: give a file with at least one row.")
    points, possible, named = np.concatenate(points), np.concatenate(possible), np.concatenate(named)
    _, first = np.unique(np.concatenate(photo_ids), return_index=True)  # the first row of each photo_id
    once = np.zeros(total, bool)
    once[named[first]] = True
    rows = np.flatnonzero(once & possible)
    set_aside = {mmcommons.BAD_ID: total - len(named), mmcommons.DUPLICATE: len(named) - len(first),
                 photos.IMPOSSIBLE: int((once & ~possible).sum())}
    ids = cellids.leaf_ids(points[rows, 0], points[rows, 1])
    return ids, rows, points, total, {reason: count for reason, count in set_aside.items() if count}


def classify(path, limit, t_max, t_min, min_level, max_level, val_fraction, seed):
    """(kept cells as (cell, sorted rows), every row's class (-1: none), every row's val flag, points, rows read,
    {reason: rows} set aside)."""
    ids, rows, points, total, set_aside = read_positions(path, limit)
    order = np.argsort(ids, kind="stable")
    leaves, rows = cellids.SortedLeaves(ids[order]), rows[order]
    del ids, order
    crowded = partition.split_crowded_cells(leaves, t_max, min_level, max_level)
    kept = [(cell, np.sort(rows[members])) for cell, members in partition.drop_sparse_cells(crowded, t_min)]
    classes, is_val = np.full(total, -1, np.int32), np.zeros(total, bool)
    rng = np.random.RandomState(seed)
    for number, (_, members) in enumerate(kept):
        classes[members] = number
        is_val[split.split_cell(members, val_fraction, rng)[0]] = True
    return kept, classes, is_val, points, total, set_aside


def write_shards(path, classes, is_val, folder, shards):
    """manifest-NNNNN.tsv files in `folder`: the kept photos in file order, cut into `shards` nearly equal parts."""
    folder.mkdir(parents=True, exist_ok=True)
    size = math.ceil(int((classes >= 0).sum()) / shards)
    written, start = 0, 0
    for chunk in metadata.read_chunks(path):
        chunk = chunk.iloc[: len(classes) - start]
        chosen = classes[start : start + len(chunk)] >= 0
        table = chunk[chosen].rename(columns={"photo_id": "photo"})
        table["class"] = classes[start : start + len(chunk)][chosen]
        table["split"] = np.where(is_val[start : start + len(chunk)][chosen], "val", "train")
        shard = (written + np.arange(len(table))) // size
        for number in np.unique(shard):
            target = folder / f"manifest-{number:05d}.tsv"
            table[shard == number].to_csv(target, sep="\t", index=False, mode="a", header=not target.exists())
        written, start = written + len(table), start + len(chunk)
        if start >= len(classes):
            break
    return sorted(folder.glob("manifest-*.tsv"))


def make_manifests(args, folder, manifest_folder, min_shards=1):
    """cells.tsv in `folder` and manifest shards in `manifest_folder` from args.metadata: (cell rows, counts)."""
    kept, classes, is_val, points, total, set_aside = classify(
        args.metadata, args.limit, args.t_max, args.t_min, args.min_level, args.max_level, args.val_fraction,
        args.seed,
    )
    if not kept:
        raise BadInput(f"no S2 cell holds --t-min {args.t_min} of the {total} photos: lower it.")
    rows = cells.describe(kept, points)
    cells.write(folder / "cells.tsv", rows)
    photos_kept = int((classes >= 0).sum())
    shards = max(min_shards, math.ceil(photos_kept / args.shard_photos))
    written = write_shards(args.metadata, classes, is_val, manifest_folder, shards)
    about = {
        "photos": photos_kept,
        "cells": len(kept),
        "excluded": total - sum(set_aside.values()) - photos_kept,
        "skipped": set_aside,
        "manifests": len(written),
    }
    return rows, about

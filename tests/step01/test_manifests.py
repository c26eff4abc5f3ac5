"""Partition at scale: metadata read a chunk at a time (CSV, TSV, Parquet) gives the cells, classes and splits of
the one-machine path, cut into manifest shards; S2 leaf ids from the compiled library are s2sphere's."""
import csv
import math
import random

import numpy as np
import pytest
import s2sphere

import scale_world


@pytest.fixture(scope="module")
def modules(load):
    return {name: load("01_data", name) for name in ("manifests", "metadata", "cellids", "partition", "split")}


def test_leaf_ids_are_s2spheres(modules):
    rng = random.Random(3)
    points = [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(2000)]
    points += [(90.0, 0.0), (-90.0, 0.0), (0.0, 180.0), (0.0, -180.0), (12.5, 179.9999999)]
    expected = [s2sphere.CellId.from_lat_lng(s2sphere.LatLng.from_degrees(*point)).id() for point in points]
    ids = modules["cellids"].leaf_ids([p[0] for p in points], [p[1] for p in points])
    assert ids.dtype == np.uint64 and ids.tolist() == expected


def flags(prepare, metadata, *more):
    return prepare.parse_args(["--source", "mmcommons", "--metadata", str(metadata), "--out", "unused"]
                              + scale_world.FLAGS + list(more))


def shard_rows(folder):
    rows = []
    for path in sorted(folder.glob("manifest-*.tsv")):
        with open(path, newline="") as file:
            rows.append(list(csv.DictReader(file, delimiter="\t")))
    return rows


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    listed = scale_world.rows(90, seed=4)
    listed[7] = (listed[7][0], listed[7][1], 95.0, 2.0)  # a latitude beyond 90°
    return scale_world.write_metadata(tmp_path_factory.mktemp("meta") / "yfcc.csv", listed), listed


def test_manifests_hold_the_cells_classes_and_splits_of_one_machine(prepare, modules, world, tmp_path):
    metadata, listed = world
    args = flags(prepare, metadata, "--shard-photos", "20")
    rows, about = modules["manifests"].make_manifests(args, tmp_path, tmp_path / "manifests")

    possible = [row for row in listed if abs(row[2]) <= 90]
    points = [(lat, lng) for _, _, lat, lng in possible]
    kept, _ = modules["partition"].partition(points, args.t_max, args.t_min, args.min_level, args.max_level)
    splits = modules["split"].split_cells(kept, args.val_fraction, args.seed)
    expected = {possible[i][0]: (number, splits[i]) for number, (_, members) in enumerate(kept) for i in members}

    assert [row["token"] for row in rows] == [cell.to_token() for cell, _ in kept], "the same cells, in class order"
    shards = shard_rows(tmp_path / "manifests")
    found = {row["photo"]: (int(row["class"]), row["split"]) for shard in shards for row in shard}
    assert found == expected, "every kept photo with the class and split the one-machine path gives it"
    assert [row["photo"] for shard in shards for row in shard] == [r[0] for r in possible if r[0] in expected]
    sizes = [len(shard) for shard in shards]
    assert len(sizes) == math.ceil(len(expected) / 20) and max(sizes) <= 20, f"--shard-photos 20, not {sizes}"
    assert max(sizes) - min(sizes) <= len(sizes), f"the shards should be nearly equal, not {sizes}"
    assert list(shards[0][0]) == ["photo", "hash", "lat", "lng", "class", "split"]
    assert about == {"photos": len(expected), "cells": len(kept), "excluded": len(possible) - len(expected),
                     "skipped": {"impossible position (latitude beyond ±90 or longitude beyond ±180)": 1},
                     "manifests": len(shards)}


@pytest.mark.parametrize("photo_id, reason", [
    ("../../escaped", "not a YFCC100M id"), ("/tmp/escaped", "not a YFCC100M id"), ("１２３", "not a YFCC100M id"),
    ("9" * 20, "not a YFCC100M id"), ("LISTED", "listed before"),
], ids=["parent folders", "an absolute path", "fullwidth digits", "20 digits", "a photo_id listed twice"])
def test_a_row_whose_photo_id_is_no_yfcc_id_or_listed_before_is_set_aside(prepare, modules, world, tmp_path,
                                                                           photo_id, reason):
    _, listed = world
    photo_id = listed[0][0] if photo_id == "LISTED" else photo_id
    odd = [(photo_id, listed[1][1], listed[1][2], listed[1][3])] * 2  # twice: in a crowded cell, on a known place
    metadata = scale_world.write_metadata(tmp_path / "yfcc.csv", listed + odd)
    _, about = modules["manifests"].make_manifests(flags(prepare, metadata), tmp_path, tmp_path / "manifests")
    shards = shard_rows(tmp_path / "manifests")
    in_shards = [row["photo"] for shard in shards for row in shard]
    assert len(in_shards) == len(set(in_shards)) and (photo_id == listed[0][0] or photo_id not in in_shards), (
        "a photo_id names a file in the packer's folder: only YFCC100M ids (ASCII digits), each once"
    )
    (counted,) = [count for text, count in about["skipped"].items() if reason in text]
    assert counted == 2


@pytest.mark.parametrize("kind", ["tsv", "parquet", "chunks of 7 rows"])
def test_every_way_of_reading_gives_the_same_manifests(prepare, modules, world, tmp_path, monkeypatch, kind):
    import pandas as pd  # imported here: a quarter of a second, which a run that stops at TODO 01.1 need not pay

    metadata, _ = world
    expected_rows, _ = modules["manifests"].make_manifests(flags(prepare, metadata), tmp_path, tmp_path / "csv")
    table = pd.read_csv(metadata, dtype={"photo_id": str, "hash": str}, float_precision="round_trip")
    if kind == "tsv":
        table.to_csv(tmp_path / "yfcc.tsv", sep="\t", index=False)
        metadata = tmp_path / "yfcc.tsv"
    elif kind == "parquet":
        table.to_parquet(tmp_path / "yfcc.parquet", row_group_size=16)
        metadata = tmp_path / "yfcc.parquet"
    else:
        monkeypatch.setattr(modules["metadata"], "CHUNK_ROWS", 7)
    rows, _ = modules["manifests"].make_manifests(flags(prepare, metadata), tmp_path, tmp_path / "other")
    assert rows == expected_rows
    assert shard_rows(tmp_path / "other") == shard_rows(tmp_path / "csv")


def test_shards_are_at_least_one_per_instance(prepare, modules, world, tmp_path):
    metadata, _ = world
    _, about = modules["manifests"].make_manifests(flags(prepare, metadata), tmp_path, tmp_path / "m", min_shards=4)
    assert about["manifests"] == 4, "--processing 4 with fewer photos than --shard-photos: still a shard each"
    assert math.fsum(len(shard) for shard in shard_rows(tmp_path / "m")) == about["photos"]


@pytest.mark.parametrize(
    "content, extra, message",
    [
        ("photo_id,hash,latitude,lng\n1,abc,1,2\n", [], "has no column lat: it needs photo_id,hash,lat,lng"),
        ("photo_id,hash,lat,lng\n", [], "lists no photos: give a file with at least one row"),
        ("photo_id,hash,lat,lng\n1,abc,48.8,2.3\n2,abd,48.8,2.3\n", ["--t-min", "3"], "no S2 cell holds --t-min 3"),
        (b"PAR1 this is no parquet", [], "cannot read --metadata"),
    ],
)
def test_bad_metadata_is_one_sentence(prepare, modules, tmp_path, content, extra, message):
    path = tmp_path / ("meta.parquet" if isinstance(content, bytes) else "meta.csv")
    path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    with pytest.raises(modules["manifests"].BadInput, match=message):
        modules["manifests"].make_manifests(flags(prepare, path, *extra), tmp_path, tmp_path / "manifests")
    assert not list(tmp_path.glob("manifests/*")), "nothing half-made is left"

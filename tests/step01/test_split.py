"""The train/val split inside every cell, and photos.tsv: where every photo went."""
import csv
from collections import Counter, defaultdict

import pytest

KEPT = [(None, list(range(0, 40))), (None, list(range(40, 45))), (None, [45, 46]), (None, [47])]


@pytest.fixture(scope="module")
def split(load):
    return load("01_data", "split")


def test_every_cell_gives_about_its_share_to_val(split):
    splits = split.split_cells(KEPT, 0.1, seed=0)
    assert sorted(splits) == list(range(48)), "every photo of a kept cell gets a split"
    per_cell = [Counter(splits[i] for i in members) for _, members in KEPT]
    assert [counts["val"] for counts in per_cell] == [4, 1, 1, 0], "about 10% of each cell, at least one of two"
    assert all(counts["train"] >= 1 for counts in per_cell), "every cell keeps a photo to train on"


def test_the_split_depends_only_on_the_seed(split):
    assert split.split_cells(KEPT, 0.2, seed=3) == split.split_cells(KEPT, 0.2, seed=3)
    assert split.split_cells(KEPT, 0.2, seed=3) != split.split_cells(KEPT, 0.2, seed=4)


def test_photos_tsv_lists_every_photo_with_its_split(sample_dataset, sample_about):
    with open(sample_dataset / "photos.tsv", newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    assert list(rows[0]) == ["photo", "lat", "lng", "class", "split", "reason"]
    assert len(rows) == sample_about["limit"], "one line for every photo of the source"
    by_split = Counter(row["split"] for row in rows)
    assert (by_split["train"], by_split["val"]) == (sample_about["train"], sample_about["val"])
    classes = defaultdict(set)
    for row in rows:
        if row["split"] == "excluded":
            assert row["class"] == "-1" and row["reason"], f"{row['photo']}: excluded without a reason"
        else:
            assert 0 <= int(row["class"]) < sample_about["cells"] and not row["reason"]
            classes[row["split"]].add(row["class"])
    assert classes["val"] == classes["train"], "every class has photos in both train and val"

"""cells.tsv: the contract with steps 02-04 (MAINTAINING.md, "Dataset folder")."""
import csv
import re

import pytest
import s2sphere

HEADER = "class\ttoken\tlevel\tcount\tlat\tlng\tplace\tadmin1\tcountry_code"


@pytest.fixture(scope="module")
def cells(load):
    return load("01_data", "cells")


def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def test_cells_tsv_has_the_agreed_header_and_one_line_per_class(sample_dataset, sample_about):
    lines = (sample_dataset / "cells.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    assert [line.split("\t")[0] for line in lines[1:]] == [str(k) for k in range(sample_about["cells"])]
    assert all(line.count("\t") == 8 for line in lines), "every line has exactly nine tab-separated fields"


def test_cells_tsv_rows_describe_their_cells(sample_dataset):
    photos = read_tsv(sample_dataset / "photos.tsv")
    for row in read_tsv(sample_dataset / "cells.tsv"):
        cell = s2sphere.CellId.from_token(row["token"])
        assert cell.is_valid() and cell.level() == int(row["level"])
        members = [p for p in photos if p["class"] == row["class"]]
        assert int(row["count"]) == len(members), f"class {row['class']}: count is not its number of photos"
        for photo in members:
            leaf = s2sphere.CellId.from_lat_lng(s2sphere.LatLng.from_degrees(float(photo["lat"]), float(photo["lng"])))
            assert cell.contains(leaf), f"{photo['photo']} is not inside its cell {row['token']}"
        assert -90 <= float(row["lat"]) <= 90 and -180 <= float(row["lng"]) <= 180
        assert re.fullmatch("([A-Z]{2})?", row["country_code"]), f"bad country code {row['country_code']!r}"
        assert row["place"], f"class {row['class']} has no place name"


def test_mean_position_is_taken_on_the_sphere(cells):
    lat, lng = cells.mean_position([(0.0, 179.0), (0.0, -179.0)])
    assert lat == pytest.approx(0.0, abs=1e-9)
    assert abs(lng) == pytest.approx(180.0), "a cell across the 180° meridian must not average to longitude 0"
    assert cells.mean_position([(10.0, 20.0), (20.0, 20.0)]) == pytest.approx((15.0, 20.0), abs=0.05)


def test_describe_names_the_place_at_the_mean_point(cells):
    cell = s2sphere.CellId.from_lat_lng(s2sphere.LatLng.from_degrees(48.857, 2.352)).parent(10)
    (row,) = cells.describe([(cell, [0, 1])], [(48.85, 2.34), (48.864, 2.364)])
    assert (row["class"], row["token"], row["level"], row["count"]) == (0, cell.to_token(), 10, 2)
    assert (row["place"], row["country_code"]) == ("Paris", "FR")
    assert float(row["lat"]) == pytest.approx(48.857, abs=1e-3)

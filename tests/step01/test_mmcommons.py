"""The Multimedia Commons source against a stand-in bucket (moto): download, resume, count what is missing."""
import io

import boto3
import pytest
from moto import mock_aws
from PIL import Image

# Two photos in Paris and one in Tokyo are in the bucket; one row points at a photo that is not.
ROWS = [
    ("1001", "a1b2c3d4e5f6", 48.85, 2.35),
    ("1002", "0f1e2d3c4b5a", 48.86, 2.34),
    ("1003", "99887766aabb", 35.68, 139.65),
    ("1004", "deadbeef0000", 40.71, -74.0),
]
METADATA = "photo_id,hash,lat,lng\n" + "".join(f"{i},{h},{lat},{lng}\n" for i, h, lat, lng in ROWS)


def jpeg(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def bucket():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-west-2")
        s3.create_bucket(Bucket="multimedia-commons", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        for photo_id, photo_hash, _, _ in ROWS[:3]:
            key = f"data/images/{photo_hash[:3]}/{photo_hash[3:6]}/{photo_hash}.jpg"
            photo = jpeg((int(photo_id) * 40 % 256, 80, 120))  # distinct bytes: copies are dropped
            s3.put_object(Bucket="multimedia-commons", Key=key, Body=photo, ACL="public-read")  # the bucket is public
        yield s3


@pytest.fixture(scope="module")
def mmcommons(load):
    return load("01_data", "mmcommons")


def test_image_key_follows_the_bucket_layout(mmcommons):
    assert mmcommons.image_key("a1b2c3d4e5f6") == "data/images/a1b/2c3/a1b2c3d4e5f6.jpg"


def test_listed_photos_are_downloaded_and_a_missing_one_is_counted(mmcommons, bucket, tmp_path):
    (tmp_path / "meta.csv").write_text(METADATA)
    found, skipped = mmcommons.from_s3(tmp_path / "meta.csv", tmp_path / "photos", limit=None, workers=1)
    assert [(p.name, p.lat, p.lng) for p in found] == [(i, lat, lng) for i, _, lat, lng in ROWS[:3]]
    assert [(s.name, s.reason) for s in skipped] == [("1004", mmcommons.MISSING)]
    assert sorted(p.name for p in (tmp_path / "photos").iterdir()) == ["1001.jpg", "1002.jpg", "1003.jpg"]


def test_a_second_run_reuses_the_downloaded_photos(mmcommons, bucket, tmp_path):
    (tmp_path / "meta.csv").write_text(METADATA)
    mmcommons.from_s3(tmp_path / "meta.csv", tmp_path / "photos", limit=2, workers=1)
    bucket.delete_object(Bucket="multimedia-commons", Key="data/images/a1b/2c3/a1b2c3d4e5f6.jpg")
    found, skipped = mmcommons.from_s3(tmp_path / "meta.csv", tmp_path / "photos", limit=None, workers=1)
    assert [p.name for p in found] == ["1001", "1002", "1003"], "files already on disk are not fetched again"
    assert [s.name for s in skipped] == ["1004"]


def test_rows_with_impossible_positions_are_skipped(mmcommons, bucket, tmp_path):
    rows = ["photo_id\thash\tlat\tlng", "1001\ta1b2c3d4e5f6\t95.0\t2.35", "1002\t0f1e2d3c4b5a\t1\tx"]
    (tmp_path / "meta.tsv").write_text("\n".join(rows) + "\n")
    found, skipped = mmcommons.from_s3(tmp_path / "meta.tsv", tmp_path / "photos", limit=None, workers=1)
    assert not found and {s.reason for s in skipped} == {mmcommons.photos.IMPOSSIBLE}


def test_prepare_builds_a_dataset_from_the_bucket(load, bucket, tmp_path):
    (tmp_path / "meta.csv").write_text(METADATA)
    out = tmp_path / "data"
    load("01_data", "prepare").main(
        ["--source", "mmcommons", "--metadata", str(tmp_path / "meta.csv"), "--out", str(out)]
        + ["--t-max", "2", "--t-min", "1", "--image-size", "32", "--workers", "1"]
    )
    lines = (out / "cells.tsv").read_text().count("\n")
    assert lines == 3, f"cells.tsv has {lines} lines, not the header and two cells (Paris: 2 photos, Tokyo: 1)"
    assert "1004\t\t\t-1\texcluded\tmissing on S3" in (out / "photos.tsv").read_text()
    assert (tmp_path / "mmcommons" / "1001.jpg").exists(), "downloads are kept beside --out for the next run"


@pytest.mark.parametrize("photo_id", ["../../escaped", "/ABSOLUTE/escaped", "..", "1001/../../escaped", "１００５",
                                      "1005.jpg", "", " 1005"],
                         ids=["parent folders", "an absolute path", "dot-dot", "digits then parents",
                              "fullwidth digits", "a file name", "empty", "a space before"])
def test_a_photo_id_that_is_no_yfcc_id_is_skipped_and_nothing_is_written_outside(mmcommons, bucket, tmp_path,
                                                                                  photo_id):
    photo_id = photo_id.replace("/ABSOLUTE", str(tmp_path))
    (tmp_path / "meta.csv").write_text(METADATA + f"{photo_id},a1b2c3d4e5f6,48.85,2.35\n")
    found, skipped = mmcommons.from_s3(tmp_path / "meta.csv", tmp_path / "photos", limit=None, workers=1)
    assert [p.name for p in found] == ["1001", "1002", "1003"]
    assert (photo_id, mmcommons.BAD_ID) in [(s.name, s.reason) for s in skipped], (
        "accept only YFCC100M photo ids (ASCII digits): the id names the downloaded file"
    )
    written = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file())
    assert written == ["meta.csv", "photos/1001.jpg", "photos/1002.jpg", "photos/1003.jpg"]


def test_a_photo_listed_twice_is_used_once_and_counted(mmcommons, bucket, tmp_path):
    (tmp_path / "meta.csv").write_text(METADATA + "1001,a1b2c3d4e5f6,48.85,2.35\n1002,0f1e2d3c4b5a,1,2\n")
    found, skipped = mmcommons.from_s3(tmp_path / "meta.csv", tmp_path / "photos", limit=None, workers=1)
    assert [p.name for p in found] == ["1001", "1002", "1003"], "each photo_id once: the first row is kept"
    assert [(s.name, s.reason) for s in skipped if s.reason == mmcommons.DUPLICATE] == [
        ("1001", mmcommons.DUPLICATE), ("1002", mmcommons.DUPLICATE)]

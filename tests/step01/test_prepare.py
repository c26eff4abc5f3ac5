"""prepare.py end to end: the dataset folder, byte-identical reruns, atomic output, and every bad input."""
import json
import os
import re
from contextlib import nullcontext

import boto3
import pytest
from moto import mock_aws
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

DATASET_FILES = ["cells.png", "cells.tsv", "dataset.json", "photos.tsv", "train.idx", "train.rec", "val.idx", "val.rec"]


def files(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_the_dataset_folder_holds_the_agreed_files(sample_dataset, sample_about):
    assert sorted(os.listdir(sample_dataset)) == DATASET_FILES
    assert sample_about["source"] == "sample" and sample_about["seed"] == 0
    assert sample_about["image_size"] == 32 and sample_about["photos"] == sample_about["train"] + sample_about["val"]
    assert sample_about["cells"] >= 5, "the small toy world still makes several cells"
    assert sample_about["label"] == ["class", "lat", "lng"]
    assert not [p for p in sample_dataset.parent.iterdir() if p.name.startswith(".")], "no temporary folder left"


def test_the_same_seed_gives_identical_files_with_any_number_of_workers(run_prepare, sample_dataset, sample_flags,
                                                                        tmp_path, capsys):
    out = tmp_path / "data"
    run_prepare(sample_flags + ["--out", str(out), "--workers", "2"])
    assert f"Dataset in {out}" in capsys.readouterr().out
    different = [name for name, data in files(out).items() if files(sample_dataset).get(name) != data]
    assert not different, f"{different} differ between 1 worker (in-process) and 2 workers: order the records by photo"


def test_a_failed_run_leaves_the_previous_dataset(prepare, sample_dataset, sample_flags, tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    for name, data in files(sample_dataset).items():
        (out / name).write_bytes(data)
    with pytest.raises(SystemExit, match="no S2 cell holds --t-min 1000"):
        # It fails after the photos are rendered and read: no cell of 50 photos holds 1000.
        flags = ["--out", str(out), "--workers", "1", "--limit", "50", "--t-max", "5000", "--t-min", "1000"]
        prepare.main(sample_flags + flags)
    assert files(out) == files(sample_dataset), "the previous dataset must survive a failed run untouched"
    assert sorted(os.listdir(tmp_path)) == ["data"], "the failed run's temporary folder must be removed"


def test_a_new_run_replaces_the_previous_dataset(prepare, sample_flags, tmp_path):
    out = tmp_path / "data"
    prepare.main(sample_flags + ["--out", str(out), "--workers", "1", "--limit", "40", "--t-min", "1"])
    first = json.loads((out / "dataset.json").read_text())
    prepare.main(sample_flags + ["--out", str(out), "--workers", "1", "--limit", "60", "--t-min", "1"])
    assert (first["limit"], json.loads((out / "dataset.json").read_text())["limit"]) == (40, 60)
    assert sorted(os.listdir(tmp_path)) == ["data"]


def test_single_bad_photos_are_skipped_and_counted(prepare, photo_writer, tmp_path):
    folder = tmp_path / "photos"
    for k in range(6):
        photo_writer(folder / f"paris-{k}.jpg", 48.85 + k / 100, 2.35)
    photo_writer(folder / "no-gps.jpg")
    photo_writer(folder / "beyond-the-pole.jpg", 95.0, 2.35)
    garbled = Image.Exif()
    garbled.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (IFDRational(48, 1), IFDRational(51, 1)), 3: "E", 4: (2,)})
    Image.new("RGB", (40, 30)).save(folder / "garbled-gps.jpg", exif=garbled)
    truncated = photo_writer(folder / "truncated.jpg", 48.85, 2.35, size=(400, 300))
    truncated.write_bytes(truncated.read_bytes()[:-300])
    (folder / "notes.txt").write_text("not a photo")
    prepare.main(["--source", f"photos:{folder}", "--out", str(tmp_path / "data"), "--workers", "1", "--t-min", "1"])
    about = json.loads((tmp_path / "data" / "dataset.json").read_text())
    assert about["photos"] == 6
    assert about["skipped"] == {
        "a GPS position in EXIF that cannot be read": 1,
        "impossible position (latitude beyond ±90 or longitude beyond ±180)": 1,
        "no GPS position in EXIF": 1,
        "unreadable or truncated image": 1,
    }
    listed = (tmp_path / "data" / "photos.tsv").read_text()
    assert "truncated.jpg\t\t\t-1\texcluded\tunreadable or truncated image" in listed


def test_upload_puts_the_dataset_on_s3_and_prints_where(prepare, sample_flags, tmp_path, capsys):
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-west-2")
        s3.create_bucket(Bucket="whereml-data", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        flags = ["--out", str(tmp_path / "data"), "--workers", "1", "--limit", "40", "--t-min", "1"]
        prepare.main(sample_flags + flags + ["--upload", "s3://whereml-data/toy"])
        keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket="whereml-data")["Contents"])
    assert keys == [f"toy/{name}" for name in DATASET_FILES]
    printed = capsys.readouterr().out
    assert "s3://whereml-data/toy/train.rec" in printed and "make train DATA=s3://whereml-data/toy" in printed


def write_gps_less(folder, photo_writer):
    for k in range(3):
        photo_writer(folder / f"holiday-{k}.jpg")


def write_impossible(folder, photo_writer):
    photo_writer(folder / "a.jpg", 48.85, 200.0)
    photo_writer(folder / "b.jpg", -91.0, 2.35)


def write_corrupt(folder, photo_writer):
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 definitely not a JPEG")


def write_good(folder, photo_writer):
    photo_writer(folder / "paris.jpg", 48.85, 2.35)


BAD_INPUTS = {
    # what the participant did: (photos written to the source folder, extra flags, what the message must say)
    "empty source folder": (None, [], "no usable photo in photos:.* \\(no photos at all\\)"),
    "every photo without GPS": (write_gps_less, [], "no usable photo .*3 no GPS position in EXIF"),
    "corrupt JPEG only": (write_corrupt, [], "no usable photo .*1 unreadable or truncated image"),
    "latitude or longitude off the globe": (write_impossible, [], "2 impossible position"),
    "t_min above t_max": (write_good, ["--t-max", "5", "--t-min", "10"], "--t-min 10 is above --t-max 5"),
    "unknown source": (write_good, ["--source", "flickr"], "--source flickr is unknown: use sample, photos:DIR"),
    "missing photos folder": (write_good, ["--source", "photos:/no/such"], "--source photos:/no/such names no folder"),
    "mmcommons without metadata": (write_good, ["--source", "mmcommons"], "needs --metadata FILE"),
    "metadata without its columns": (
        write_good, ["--source", "mmcommons", "--metadata", "{tmp}/a-file"], "needs a header with the columns photo_id"
    ),
    "val fraction of one or more": (write_good, ["--val-fraction", "1.5"], "--val-fraction 1.5 must be"),
    "no workers": (write_good, ["--workers", "0"], "--workers 0 must be at least 1"),
    "images too small": (write_good, ["--image-size", "4"], "--image-size 4 is too small"),
    "levels upside down": (write_good, ["--min-level", "9", "--max-level", "3"], "--min-level <= --max-level"),
    "upload address not on S3": (write_good, ["--upload", "bucket/prefix"], "--upload bucket/prefix is not an S3"),
    "upload bucket missing": (write_good, ["--upload", "s3://no-such-bucket/x"], "no-such-bucket does not exist"),
    "upload without credentials": (write_good, ["--upload", "s3://whereml-data/x"], "no AWS credentials found"),
    "unwritable --out": (write_good, ["--out", "{tmp}/a-file/data"], "cannot write to --out .*a-file/data"),
    "--out is some other folder": (write_good, ["--out", "{tmp}/other"], "exists and is not a dataset folder"),
}


@pytest.mark.parametrize("what", BAD_INPUTS)
def test_bad_input_is_one_clear_sentence_and_writes_nothing(prepare, photo_writer, tmp_path, monkeypatch, what):
    write, flags, message = BAD_INPUTS[what]
    folder = tmp_path / "photos"
    folder.mkdir()
    if write:
        write(folder, photo_writer)
    (tmp_path / "a-file").write_text("a file, not a folder")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "thesis.tex").write_text("precious")
    before = sorted(os.listdir(tmp_path))
    flags = [flag.replace("{tmp}", str(tmp_path)) for flag in flags]
    argv = ["--source", f"photos:{folder}", "--out", str(tmp_path / "data"), "--workers", "1", "--t-min", "1"] + flags
    if what == "upload without credentials":
        for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(variable)
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        # as in a new process: boto3's default session keeps the credentials an earlier test's client found
        monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    with mock_aws() if what == "upload bucket missing" else nullcontext():
        with pytest.raises(SystemExit) as exit_info:
            prepare.main(argv)
    text = str(exit_info.value.code)
    assert text.startswith("prepare.py: ") and len(text.splitlines()) == 1, "one sentence, and a non-zero exit"
    assert re.search(message, text), f"the message {text!r} should say {message!r}"
    assert sorted(os.listdir(tmp_path)) == before, "a failed run writes nothing next to --out"
    assert (tmp_path / "other" / "thesis.tex").read_text() == "precious"

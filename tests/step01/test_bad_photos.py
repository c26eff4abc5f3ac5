"""A folder of real-world photos holds files that are no photo or carry broken EXIF: each is skipped and counted,
and the run goes on to make the dataset from the rest."""
import csv
import json
import os
import shutil
import signal

import pytest
from PIL import Image

from exif_blocks import (
    GPS_LATITUDE,
    GPS_LATITUDE_REF,
    GPS_LONGITUDE,
    GPS_LONGITUDE_REF,
    ORIENTATION,
    UNDEFINED,
    degrees,
    exif_block,
    raw,
    shorts,
    signed,
    text,
)


def gps(lng_ref, lat=48.85, lng=2.35):
    return {GPS_LATITUDE_REF: text("N"), GPS_LATITUDE: degrees(lat), GPS_LONGITUDE_REF: lng_ref,
            GPS_LONGITUDE: degrees(lng)}


def write_with_exif(path, exif):
    Image.new("RGB", (48, 36), (90, 140, 200)).save(path, "JPEG", quality=90, exif=exif)


BAD_FILES = [  # (what is in the folder, how to write it, the reason it is skipped for)
    ("a file name that is not UTF-8", lambda folder, writer: writer(folder / os.fsdecode(b"caf\xe9.jpg"), 48.8, 2.3),
     "not UTF-8"),
    ("a pipe named x.jpg", lambda folder, writer: os.mkfifo(folder / "x.jpg"), "not a regular file"),
    ("a broken link named y.jpg", lambda folder, writer: (folder / "y.jpg").symlink_to(folder / "gone.jpg"),
     "not a regular file"),
    ("a GPS reference stored as numbers", lambda folder, writer: write_with_exif(
        folder / "numbers.jpg", exif_block(gps=gps(shorts(87, 0)))), "GPS position in EXIF that cannot be read"),
    ("a longitude reference X", lambda folder, writer: write_with_exif(
        folder / "ref-x.jpg", exif_block(gps=gps(text("X")))), "GPS position in EXIF that cannot be read"),
    ("an empty longitude reference", lambda folder, writer: write_with_exif(
        folder / "ref-empty.jpg", exif_block(gps=gps(text("")))), "GPS position in EXIF that cannot be read"),
    ("a latitude reference E", lambda folder, writer: write_with_exif(
        folder / "ref-e.jpg", exif_block(gps=gps(text("E")) | {GPS_LATITUDE_REF: text("E")})),
     "GPS position in EXIF that cannot be read"),
    # The reference letter gives the side: a sign as well says it twice (or, as -33 with N, contradicts it).
    ("a latitude of -33/-52/-24 with the reference S", lambda folder, writer: write_with_exif(
        folder / "signed-south.jpg", exif_block(gps=gps(text("E")) | {GPS_LATITUDE_REF: text("S"),
                                                                        GPS_LATITUDE: signed(-33, -52, -24)})),
     "GPS position in EXIF that cannot be read"),
    ("a longitude of -74/0/-12 with the reference W", lambda folder, writer: write_with_exif(
        folder / "signed-west.jpg", exif_block(gps=gps(text("W")) | {GPS_LONGITUDE: signed(-74, 0, -12)})),
     "GPS position in EXIF that cannot be read"),
    ("a latitude of 33/-52/24 with the reference N", lambda folder, writer: write_with_exif(
        folder / "signed-minutes.jpg", exif_block(gps=gps(text("E")) | {GPS_LATITUDE: signed(33, -52, 24)})),
     "GPS position in EXIF that cannot be read"),
    ("a sideways photo with a mistyped EXIF tag", lambda folder, writer: write_with_exif(
        folder / "sideways.jpg", exif_block({ORIENTATION: shorts(6)}, gps=gps(text("E")) | {9: shorts(65, 0)})),
     "EXIF data that cannot be read"),
]


@pytest.fixture
def within_seconds():
    """Fails the test instead of hanging it (opening a pipe waits for a writer forever)."""

    def too_slow(signum, frame):
        raise TimeoutError("still running after 20 s: is a file that is no photo (a pipe) being opened?")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("row", BAD_FILES, ids=[row[0] for row in BAD_FILES])
def test_a_file_that_cannot_be_used_is_skipped_with_its_reason(load, photo_writer, tmp_path, within_seconds, row):
    what, write, reason = row
    write(tmp_path, photo_writer)
    photo_writer(tmp_path / "good.jpg", 48.85, 2.35)
    found, skipped = load("01_data", "photos").from_folder(tmp_path, None, 1)
    assert [photo.name for photo in found] == ["good.jpg"], f"{what}: only the good photo is used"
    assert len(skipped) == 1 and reason in skipped[0].reason, f"{what}: skipped as {reason!r}, got {skipped}"


def test_a_gps_reference_stored_as_bytes_is_read(load, tmp_path):
    write_with_exif(tmp_path / "west.jpg", exif_block(gps=gps(raw(UNDEFINED, b"W"), lng=74.04)))
    with Image.open(tmp_path / "west.jpg") as image:
        lat, lng = load("01_data", "geotag").read_position(image)
    assert lng == pytest.approx(-74.04, abs=1e-4), 'b"W" is the west reference: read bytes as the letter they hold'


def prepare_with_three_good_photos(prepare, photo_writer, folder, out):
    """prepare.py on `folder`, with three good photos added, at an image size of 32: what dataset.json skipped."""
    for number in range(3):
        photo_writer(folder / f"paris-{number}.jpg", 48.85 + number / 1000, 2.35)
    prepare.main(["--source", f"photos:{folder}", "--out", str(out), "--workers", "1", "--t-min", "1",
                  "--image-size", "32", "--val-fraction", "0"])
    return json.loads((out / "dataset.json").read_text())["skipped"]


def test_a_run_over_every_bad_file_finishes_and_counts_them(prepare, photo_writer, tmp_path, within_seconds):
    folder = tmp_path / "photos"
    folder.mkdir()
    for _, write, _ in BAD_FILES:
        write(folder, photo_writer)
    skipped = prepare_with_three_good_photos(prepare, photo_writer, folder, tmp_path / "data")
    assert sum(skipped.values()) == len(BAD_FILES), f"each bad file is skipped and counted once: {skipped}"


@pytest.mark.parametrize("copies", [1, 40], ids=["one copy", "forty copies"])
def test_the_same_photo_many_times_is_used_once_never_in_train_and_val(prepare, photo_writer, tmp_path, copies):
    folder = tmp_path / "photos"
    photo_writer(folder / "paris-0.jpg", 48.85, 2.35)
    for number in range(1, copies + 1):
        shutil.copy(folder / "paris-0.jpg", folder / f"paris-{number}.jpg")
    for number in range(6):
        photo_writer(folder / f"tokyo-{number}.jpg", 35.68 + number / 1000, 139.69)
    out = tmp_path / "data"
    prepare.main(["--source", f"photos:{folder}", "--out", str(out), "--workers", "1", "--t-min", "1",
                  "--image-size", "32", "--val-fraction", "0.5"])
    with open(out / "photos.tsv", newline="") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    used = [row["photo"] for row in rows if row["split"] in ("train", "val") and row["photo"].startswith("paris")]
    assert used == ["paris-0.jpg"], f"one copy of a photo is kept before the split, not {used}"
    copy_rows = [row for row in rows if row["reason"] and "same bytes" in row["reason"]]
    assert len(copy_rows) == copies, "each copy is listed in photos.tsv with the reason it was left out"
    assert sum(n for reason, n in json.loads((out / "dataset.json").read_text())["skipped"].items()
               if "same bytes" in reason) == copies


@pytest.mark.parametrize("size", [(1, 5000), (5000, 1)], ids=["1 x 5000", "5000 x 1"])
def test_a_photo_too_long_for_a_jpeg_once_resized_keeps_its_centre(prepare, photo_writer, tmp_path, size):
    """Its short side made --image-size, the long side would pass JPEG's 65,500 pixels: packed all the same."""
    folder, out = tmp_path / "photos", tmp_path / "data"
    photo_writer(folder / "strip.jpg", 48.85, 2.35, size=size)
    skipped = prepare_with_three_good_photos(prepare, photo_writer, folder, out)
    assert not skipped, (
        f"a {size[0]} x {size[1]} photo was skipped as {skipped}: resized to a short side of 32 its long side is "
        "over JPEG's 65,500 pixels; keep its centre (crop the long side), as serving's centre crop does"
    )
    with open(out / "photos.tsv", newline="") as file:
        rows = {row["photo"]: row["split"] for row in csv.DictReader(file, delimiter="\t")}
    assert rows["strip.jpg"] == "train"

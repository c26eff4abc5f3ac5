"""Fixtures for step 01: photos the tests write themselves, and one small sample dataset made in-process."""
import json
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from workshop import loader, ordering

# The order of the story, so that `-x` stops at the earliest TODO: 01.1 geotag, 01.2/01.3 partition, 01.4 pack.
ORDER = [
    "test_geotag.py", "test_partition.py", "test_split.py", "test_pack.py", "test_cells.py", "test_cellmap.py",
    "test_sample.py", "test_mmcommons.py", "test_upload.py", "test_prepare.py",
    "test_bad_photos.py", "test_bad_out.py", "test_lost_photos_and_full_disk.py", "test_interruptions.py",
    "test_manifests.py", "test_processing.py",
]


def pytest_collection_modifyitems(items):
    ordering.files_in_order(items, Path(__file__).parent, ORDER)


def dms(degrees):
    """Unsigned decimal degrees -> EXIF (degrees, minutes, seconds) rationals, written here, not by the step."""
    seconds = round(abs(degrees) * 360000)  # hundredths of a second
    return IFDRational(seconds // 360000, 1), IFDRational(seconds // 6000 % 60, 1), IFDRational(seconds % 6000, 100)


def write_photo(path, lat=None, lng=None, size=(48, 36), colour=(90, 140, 200), refs=None):
    """A JPEG at `path`, with a GPS position in its EXIF when lat/lng are given (refs overrides N/S, E/W)."""
    exif = Image.Exif()
    if lat is not None:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        lat_ref, lng_ref = refs or ("N" if lat >= 0 else "S", "E" if lng >= 0 else "W")
        gps.update({1: lat_ref, 2: dms(lat), 3: lng_ref, 4: dms(lng)})
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG", quality=90, exif=exif)
    return path


@pytest.fixture(scope="session")
def photo_writer():
    return write_photo


@pytest.fixture(scope="session")
def recordio():
    """MXNet's RecordIO, to read the records back; imported only by the tests that do (it takes seconds)."""
    from mxnet import recordio

    return recordio


@pytest.fixture(scope="session")
def prepare(load):
    return load("01_data", "prepare")


@pytest.fixture(scope="session")
def run_prepare(prepare, tree):
    """run_prepare(argv): prepare.main(argv) in this process, its worker processes finding the step's modules by
    name as when prepare.py runs."""

    def run(argv):
        with loader.visible(tree / "01_data"):
            return prepare.main(argv)

    return run


# Small enough to render and pack in a second or two, big enough for several cells.
SAMPLE_FLAGS = ["--source", "sample", "--limit", "300", "--image-size", "32", "--t-max", "40", "--t-min", "5"]


@pytest.fixture(scope="session")
def sample_flags():
    return list(SAMPLE_FLAGS)


@pytest.fixture(scope="session")
def sample_dataset(prepare, tmp_path_factory):
    """The dataset folder of a small toy-world run made in this process (one worker)."""
    out = tmp_path_factory.mktemp("sample") / "data"
    prepare.main(SAMPLE_FLAGS + ["--out", str(out), "--workers", "1"])
    return out


@pytest.fixture(scope="session")
def sample_about(sample_dataset):
    return json.loads((sample_dataset / "dataset.json").read_text())

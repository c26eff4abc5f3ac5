"""01.4: MXNet indexed RecordIO records, each labelled [class, lat, lng] of its photo."""
import csv
import io

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="module")
def pack(load):
    return load("01_data", "pack")


@pytest.fixture(scope="module")
def thumbnail(pack):
    return pack.thumbnail  # the module pack.py shrinks photos with


def open_records(recordio, folder, split):
    return recordio.MXIndexedRecordIO(str(folder / f"{split}.idx"), str(folder / f"{split}.rec"), "r")


@pytest.mark.todo("01.4")
def test_pack_record_labels_the_photo_with_class_lat_lng(pack, recordio):
    record = pack.pack_record(7, [3, 48.8584, 2.2945], b"\xff\xd8jpeg bytes")
    header, payload = recordio.unpack(record)
    assert header.flag == 3, (
        f"the record's label holds {header.flag or 1} number(s), not 3: give IRHeader the whole label "
        "[class, lat, lng] as a float32 numpy array (step 02 reads each photo's position from it)"
    )
    assert np.allclose(header.label, [3, 48.8584, 2.2945], atol=1e-4), (
        f"label {header.label}: expected [class, lat, lng] = [3, 48.8584, 2.2945], in that order, as float32 "
        "(an integer array cuts the position to whole degrees)"
    )
    assert header.id == 7, f"the record's id is {header.id}: give IRHeader the photo's `index` as its id"
    assert payload == b"\xff\xd8jpeg bytes", "the record carries the JPEG bytes as they are"


@pytest.mark.todo("01.4")
@pytest.mark.parametrize("split", ["train", "val"])
def test_records_are_readable_and_labelled_with_their_photo(sample_dataset, sample_about, recordio, split):
    with open(sample_dataset / "photos.tsv", newline="", encoding="utf-8") as file:
        expected = [row for row in csv.DictReader(file, delimiter="\t") if row["split"] == split]
    records = open_records(recordio, sample_dataset, split)
    assert sorted(records.keys) == list(range(len(expected))), f"{split}.idx holds one key per {split} photo"
    for key, row in zip(sorted(records.keys), expected):
        header, jpeg = recordio.unpack(records.read_idx(key))
        wanted = [float(row["class"]), float(row["lat"]), float(row["lng"])]
        assert np.allclose(header.label, wanted, atol=1e-4), f"record {key}: label {header.label}, photo {wanted}"
        image = Image.open(io.BytesIO(jpeg))
        assert image.format == "JPEG" and min(image.size) == sample_about["image_size"]
    records.close()


def test_records_are_all_different_photos(sample_dataset, recordio):
    payloads = []
    for split in ("train", "val"):
        records = open_records(recordio, sample_dataset, split)
        payloads += [recordio.unpack(records.read_idx(key))[1] for key in records.keys]
        records.close()
    assert len(set(payloads)) == len(payloads), "val photos are their own photos, never copies of training ones"


@pytest.mark.parametrize(
    "size, orientation, expected",
    [
        ((1024, 768), 1, (341, 256)),  # landscape
        ((768, 1024), 1, (256, 341)),  # portrait
        ((1024, 768), 6, (256, 341)),  # stored sideways, shown upright
        ((100, 80), 1, (320, 256)),  # smaller than the image size: enlarged
    ],
)
def test_shrink_makes_the_short_side_the_image_size(thumbnail, tmp_path, size, orientation, expected):
    exif = Image.Exif()
    exif[0x0112] = orientation  # 6: the camera was turned; the photo must be shown rotated
    path = tmp_path / "big.jpg"
    Image.new("RGB", size, (200, 100, 50)).save(path, quality=90, exif=exif)
    image = Image.open(io.BytesIO(thumbnail.shrink(path, 256)))
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", expected)


def test_a_photo_already_the_right_size_is_packed_as_it_is(thumbnail, tmp_path):
    path = tmp_path / "small.jpg"
    Image.new("RGB", (85, 64), (20, 120, 220)).save(path, quality=80)
    assert thumbnail.shrink(path, 64) == path.read_bytes(), "no decoding and re-encoding when nothing changes"

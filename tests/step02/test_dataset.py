"""dataset.py: the normalisation of MAINTAINING.md, and readers that give every photo with its [class, lat, lng]."""
import io

import mxnet as mx
import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="module")
def dataset(load):
    return load("02_train", "dataset")


def test_normalisation_is_the_documented_one(dataset):
    # Step 03 repeats these numbers when it serves the model: they must not drift apart.
    assert dataset.MEAN == (0.485, 0.456, 0.406) and dataset.STD == (0.229, 0.224, 0.225)


def test_val_photos_are_centre_cropped_and_normalised(dataset, data):
    """The reader's first val photos equal the documented preprocessing done by hand with Pillow."""
    batch = dataset.val_batches(str(data), 4, 56, 64).next()
    records = mx.recordio.MXRecordIO(str(data / "val.rec"), "r")
    for row in range(4):
        header, jpeg = mx.recordio.unpack(records.read())
        image = Image.open(io.BytesIO(jpeg)).convert("RGB")
        scale = 64 / min(image.size)
        image = image.resize((round(image.width * scale), round(image.height * scale)))
        left, top = (image.width - 56) // 2, (image.height - 56) // 2
        pixels = np.asarray(image.crop((left, top, left + 56, top + 56)), dtype=np.float32) / 255
        expected = ((pixels - np.array(dataset.MEAN)) / np.array(dataset.STD)).transpose(2, 0, 1)
        difference = np.abs(batch.data[0][row].asnumpy() - expected).max()
        assert difference < 0.05, "val photos: RGB, short side `resize`, centre crop, (x / 255 - MEAN) / STD, CHW"
        assert np.allclose(batch.label[0][row].asnumpy(), header.label), "each photo keeps its label [class, lat, lng]"


def test_every_val_photo_is_read_once(dataset, data):
    labels = dataset.read_labels(str(data), "val")
    seen = []
    for batch in dataset.val_batches(str(data), 64, 56, 64):
        seen.extend(batch.label[0].asnumpy()[: 64 - batch.pad].tolist())
    assert np.allclose(seen, labels)


def test_workers_read_separate_shares_of_the_training_photos(dataset, data):
    def classes_and_positions(rank):
        batch = dataset.train_batches(str(data), 128, 56, 64, flip=1, seed=0, workers=2, rank=rank).next()
        return {tuple(label) for label in batch.label[0].asnumpy().tolist()}

    assert not classes_and_positions(0) & classes_and_positions(1)

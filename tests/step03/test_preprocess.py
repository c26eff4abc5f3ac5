"""preprocess (inference.py): what the network sees when serving is what it saw in training, pixel for pixel.

Training saw each photo as step 01 packed it (thumbnail.py: short side to `resize`) and as step 02's reader gave it
(the centre `image_size` square, normalised). Both sides here are the solutions', as the checkpoint model was made.
"""
import numpy as np
import pytest
from PIL import Image

from workshop import loader
from workshop.paths import ROOT

SOLUTIONS = ROOT / "solutions"
RESIZE, SIZE = 64, 56  # the checkpoint model's resize and image_size
# Mean |difference| in 0..255 levels that step 01's JPEG re-encoding alone leaves: about 2.5. A resampling filter,
# a rounding or a crop one pixel off gives 5 to 60.
MOST = 4.0
PHOTOS = [(1024, 768), (768, 1024), (1001, 999), (333, 250), (50, 40)]
NAMES = ["a landscape phone photo", "a portrait phone photo", "an almost square photo", "a small odd-sized photo",
         "a photo smaller than resize"]


def textured_jpeg(path, width, height):
    """A photo of fine stripes and checks in smooth colours: a wrong filter, size or crop shows at once."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    u, v = x / width, y / height
    light = 128 + 50 * np.sin(2 * np.pi * 9 * u) * np.sin(2 * np.pi * 7 * v) + 45 * np.sign(np.sin(2 * np.pi * 23 * u + 3 * v))
    tint = np.stack([0.7 + 0.5 * u, 1.1 - 0.4 * v, 0.8 + 0.3 * u * v], axis=-1)
    Image.fromarray(np.clip(light[..., None] * tint, 0, 255).astype(np.uint8)).save(path, "JPEG", quality=95)
    return path.read_bytes()


def as_trained(photo, folder):
    """The photo as training saw it: packed by step 01, read back by step 02's validation reader (centre crop)."""
    pack = loader.load(SOLUTIONS / "01_data", "pack")
    dataset = loader.load(SOLUTIONS / "02_train", "dataset")
    pack.write_records(folder / "val", [(photo, [0, 0.0, 0.0])], RESIZE, workers=1)
    return next(iter(dataset.val_batches(str(folder), 1, SIZE, RESIZE))).data[0].asnumpy()[0]


@pytest.mark.todo("03.2")
@pytest.mark.parametrize("width, height", PHOTOS, ids=NAMES)
def test_the_network_sees_a_photo_as_training_did(host, tmp_path, width, height):
    inference, photo = host("inference"), host("photo")
    jpeg = textured_jpeg(tmp_path / "photo.jpg", width, height)
    image = photo.decode(photo.open_photo(jpeg), RESIZE)
    batch = inference.preprocess(image, RESIZE, SIZE, inference.MEAN, inference.STD)
    assert batch.shape == (1, 3, SIZE, SIZE), f"preprocess returned shape {batch.shape}, not (1, 3, size, size)"
    std = np.array(inference.STD, dtype=np.float32)[:, None, None]
    apart = float(np.mean(np.abs(batch.asnumpy()[0] - as_trained(tmp_path / "photo.jpg", tmp_path)) * std * 255))
    assert apart < MOST, (
        f"for {width} x {height} pixels the network sees something else than in training: on average {apart:.1f} "
        f"of 255 levels apart (under {MOST:g} is JPEG noise). Resize as step 01's thumbnail.py packed the photos "
        "(both sides times resize / short side, rounded, never below resize; BOX to shrink, BICUBIC to enlarge), "
        "then crop the centre of the resized image as training's reader does, from its new size, not the photo's "
        "original one: left = (image.width - size) // 2, top = (image.height - size) // 2 after the resize"
    )

"""Step 01: pack the same photos into RecordIO with prepare.py's packer and with MXNet's tools/im2rec.py.

Both bring every photo to the same short side (JPEG quality 95 where they re-encode), label it [class, lat, lng] and
use the same number of worker processes. Only the packing is timed (not Python's start or the imports), best of three
runs. The photos are made here: the toy world `make data` packs (already at its 64-pixel size), and scenes blown up
with grain to two real-world sizes, 1024x768 (a web-size photo) and 4032x3024 (a 12-megapixel phone photo), so
decoding weighs what it weighs with real photos.
"""
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mxnet as mx
import numpy as np
from PIL import Image

from workshop import loader
from workshop.paths import SOLUTIONS

STEP = SOLUTIONS / "01_data"
pack, sample = (loader.load(STEP, name) for name in ("pack", "sample"))

QUALITY, RUNS = 95, 3
WORKERS = os.cpu_count()
IM2REC = Path(mx.__file__).parent / "tools" / "im2rec.py"
# Runs im2rec exactly as its command line would, timing only the run itself.
RUN_IM2REC = (
    "import runpy, sys, time; import cv2, mxnet; sys.argv = sys.argv[1:]; started = time.perf_counter(); "
    "runpy.run_path(sys.argv[0], run_name='__main__'); print('SECONDS', time.perf_counter() - started)"
)


def toy_world(folder, count):
    """The toy world's own photos, 85x64: [(name, label)]."""
    paths = sample.write_photos(folder, count, seed=0, size=64)
    places = sample.places(count, seed=0)
    return [(path.name, [index % 50, lat, lng]) for index, (path, (lat, lng)) in enumerate(zip(paths, places))]


def blown_up(size):
    """A maker of `count` toy-world scenes blown up to `size` with grain, saved as JPEG quality 90."""

    def make(folder, count):
        rng = np.random.RandomState(0)
        grain = rng.normal(0, 6, (size[1], size[0], 3)).astype(np.float32)
        photos = []
        for index, (lat, lng) in enumerate(sample.places(count, seed=0)):
            scene = sample.render(lat, lng, rng, 96).resize(size, Image.Resampling.BICUBIC)
            pixels = np.asarray(scene, np.float32) + np.roll(grain, rng.randint(size[1]), axis=0)
            name = f"photo-{index:04d}.jpg"
            Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(folder / name, quality=90)
            photos.append((name, [index % 50, lat, lng]))
        return photos

    return make


# what, how to make the photos, how many, the short side packed
CASES = [
    ("toy world, 85x64 (`make data`)", toy_world, 2000, 64),
    ("web size, 1024x768", blown_up((1024, 768)), 240, 256),
    ("phone camera, 4032x3024", blown_up((4032, 3024)), 24, 256),
]


def time_prepare(folder, photos, out, size):
    items = [(str(folder / name), label) for name, label in photos]
    started = time.perf_counter()
    pack.write_records(out / "train", items, size, WORKERS)
    return time.perf_counter() - started


def time_im2rec(folder, photos, out, size):
    with open(out / "train.lst", "w") as listing:
        for index, (name, label) in enumerate(photos):
            listing.write("\t".join([str(index)] + [f"{value:f}" for value in label] + [name]) + "\n")
    command = [sys.executable, "-c", RUN_IM2REC, str(IM2REC), str(out / "train"), str(folder)]
    command += ["--resize", str(size), "--quality", str(QUALITY), "--num-thread", str(WORKERS), "--pack-label"]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(result.stdout.split("SECONDS")[-1])


def check_same_records(first, second, count):
    """Both outputs hold the same labels, in the same order, and images of the same size."""
    a = mx.recordio.MXIndexedRecordIO(str(first / "train.idx"), str(first / "train.rec"), "r")
    b = mx.recordio.MXIndexedRecordIO(str(second / "train.idx"), str(second / "train.rec"), "r")
    assert len(a.keys) == len(b.keys) == count
    for key in a.keys:
        (label_a, jpeg_a), (label_b, jpeg_b) = mx.recordio.unpack(a.read_idx(key)), mx.recordio.unpack(b.read_idx(key))
        assert np.allclose(label_a.label, label_b.label)
        assert Image.open(io.BytesIO(jpeg_a)).size == Image.open(io.BytesIO(jpeg_b)).size


def measure(scratch, make, count, size):
    """(megabytes of photos, best seconds of prepare.py, best seconds of im2rec.py)."""
    folder = scratch / "photos"
    folder.mkdir()
    photos = make(folder, count)
    megabytes = sum(path.stat().st_size for path in folder.iterdir()) / 1e6
    ours, theirs = [], []
    for run in range(RUNS):  # interleaved, so a busy moment of the machine hits both alike
        for name, timer, times in (("prepare", time_prepare, ours), ("im2rec", time_im2rec, theirs)):
            out = scratch / f"{name}-{run}"
            out.mkdir()
            times.append(timer(folder, photos, out, size))
    check_same_records(scratch / "prepare-0", scratch / "im2rec-0", count)
    return megabytes, min(ours), min(theirs)


def main():
    rows = []
    for label, make, count, size in CASES:
        with tempfile.TemporaryDirectory() as scratch, loader.visible(STEP):  # pack's workers find it by name
            megabytes, ours, theirs = measure(Path(scratch), make, count, size)
        rows.append(f"| {label} | {count} ({megabytes:.1f} MB) | {size} | {count / ours:.0f} | {count / theirs:.0f} | "
                    f"{theirs / ours:.1f}x |")
    print("### Step 01: packing photos into RecordIO\n")
    print(f"Label [class, lat, lng], JPEG quality {QUALITY}, {WORKERS} worker processes each; images per second, best "
          f"of {RUNS} runs. prepare.py packs a photo already at its size as it is, and lets the JPEG decoder shrink "
          "big photos by 1/2, 1/4 or 1/8 while decoding (Pillow's draft mode).\n")
    print("| photos | how many | short side | prepare.py (Pillow) | mxnet tools/im2rec.py (OpenCV) | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()

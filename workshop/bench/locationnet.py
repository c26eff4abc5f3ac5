"""The real model's path on this machine: `make locationnet` against a local stand-in bucket, model_fn's start-up
(the endpoint's cold start) fp32 vs int8, and `make ask` on a 12 MP photo, all with a LocationNet-size model.

    python -m workshop bench locationnet

The model is LocationNet's shape with random weights (workshop/bench/step03_latency.py's locationnet_files: a ResNet-101 body,
fc1 over 15,527 cells, SoftmaxOutput), served by moto's S3 server on 127.0.0.1 as public-read objects. Its int8 copy
here is quantized on random inputs: good for timing, not for answers (`make locationnet` calibrates on real photos).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import mxnet as mx
from PIL import Image

from workshop import loader, locationnet
from workshop.bench.step03_latency import locationnet_files
from workshop.paths import ROOT

warnings.filterwarnings("ignore")
with loader.visible(ROOT / "tests"):  # the stand-ins of the tests: moto's server and the model's bucket
    moto_server = loader.load(ROOT / "tests", "moto_server")
    StandInBucket = loader.load(ROOT / "tests", "standin_bucket").StandInBucket

STEP = ROOT / "solutions" / "03_host"
PHOTO = ROOT / "photos" / "cape-canaveral-falcon9-dscovr.jpg"
COLD_STARTS = 3
MODEL_FN = ("import sys, time; began = time.perf_counter(); import inference; imported = time.perf_counter(); "
            "inference.model_fn(sys.argv[1]); print(imported - began, time.perf_counter() - imported)")


def timed(command, **kwargs):
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    return time.perf_counter() - began, result.stdout


def download_and_check(files, out):
    """`make locationnet` from the stand-in bucket into `out`: (seconds, MB downloaded)."""
    with moto_server.running() as endpoint:
        bucket = StandInBucket(endpoint)
        for name in ("RN101-5k500-symbol.json", "RN101-5k500-0012.params"):
            bucket.put(name, (files / name).read_bytes())
        megabytes = sum((files / name).stat().st_size for name in os.listdir(files) if name.startswith("RN101")) / 1e6
        seconds, _ = timed([sys.executable, "-m", "workshop", "locationnet", "--out", str(out)], cwd=ROOT,
                           env=dict(os.environ, LOCATIONNET_URL=bucket.url))
    return seconds, megabytes


def parts_of_the_check(out):
    """Seconds of the checks alone and of naming the cells alone, in this process, on the kept files."""
    cells = loader.load(STEP, "cells")
    began = time.perf_counter()
    locationnet.check(out)
    checked = time.perf_counter()
    cells.read_grids(str(out / "grids.txt"))
    return checked - began, time.perf_counter() - checked


def add_int8_copy(folder):
    """An int8 copy of the network beside it, quantized on random inputs (for timing only)."""
    locationnet, quantize, int8 = (loader.load(STEP, name) for name in ("locationnet", "quantize", "int8"))
    batches = [mx.nd.random.uniform(-120, 130, shape=(1, 3, 224, 224)) for _ in range(4)]
    network = quantize.quantize(locationnet.load_network(str(folder)), batches)
    network.hybridize(static_alloc=True, static_shape=True)
    network(batches[0])  # export saves the graph of a forward pass
    int8.write(network, locationnet.load(str(folder)), str(folder))


def cold_starts(folder):
    """[(import seconds, model_fn seconds)] of a new Python each time, as a new endpoint container starts."""
    runs = []
    for _ in range(COLD_STARTS):
        _, printed = timed([sys.executable, "-c", MODEL_FN, str(folder)], cwd=STEP / "code")
        runs.append(tuple(float(part) for part in printed.split()))
    return runs


def twelve_megapixel_photo(path):
    """The launch photo blown up to 4000 x 3000 (12 MP), with its GPS EXIF, as a phone would save it."""
    geotag = loader.load(ROOT / "solutions" / "01_data", "geotag")
    with Image.open(PHOTO) as image:
        position = geotag.read_position(image)
        image.convert("RGB").resize((4000, 3000), Image.BICUBIC).save(
            path, "JPEG", quality=92, exif=geotag.gps_exif(*position))
    return path


def median(values):
    return sorted(values)[len(values) // 2]


def main():
    work = Path(tempfile.mkdtemp(prefix="locationnet-bench-"))
    try:
        files = work / "files"
        files.mkdir()
        locationnet_files(files)
        fp32 = work / "fp32" / "locationnet"
        seconds, megabytes = download_and_check(files, fp32)
        check_seconds, places_seconds = parts_of_the_check(fp32)
        again, _ = timed([sys.executable, "-m", "workshop", "locationnet", "--out", str(fp32)], cwd=ROOT,
                         env=dict(os.environ, LOCATIONNET_URL="http://127.0.0.1:9/nothing-listens/"))
        int8 = work / "int8" / "locationnet"
        shutil.copytree(fp32, int8)
        add_int8_copy(int8)
        starts = {"fp32 (MKLDNN fused)": cold_starts(fp32), "int8": cold_starts(int8)}
        photo = twelve_megapixel_photo(work / "12mp.jpg")
        asks = {}
        for name, folder in (("fp32", fp32), ("int8", int8)):
            asks[name] = median([timed([sys.executable, "-m", "workshop", "ask", str(photo), "--model", str(folder), "--tree",
                                        "solutions", "--out", str(work / "ask")], cwd=ROOT)[0] for _ in range(3)])
        photo_mb = photo.stat().st_size / 1e6
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("### The real model: `make locationnet`, model_fn's cold start, `make ask` (LocationNet-size, random "
          "weights)\n")
    print("| what | seconds | per 100 MB |")
    print("| --- | --- | --- |")
    print(f"| `make locationnet`: download {megabytes:.0f} MB from a stand-in bucket on 127.0.0.1, MD5, checks, places, "
          f"rename into place (a new Python) | {seconds:.1f} | {seconds / megabytes * 100:.1f} s |")
    print("| of which the checks (symbol, {} parameter shapes, classes, a forward pass) | {:.1f} | |".format(
        "every", check_seconds))
    print(f"| of which naming 15,527 cells (reverse_geocode) | {places_seconds:.1f} | |")
    print(f"| a second `make locationnet`, offline (checks the kept files, downloads nothing) | {again:.1f} | |")
    print()
    print(f"| model_fn cold start (a new Python: import inference, then model_fn), median of {COLD_STARTS} | import s | "
          "model_fn s |")
    print("| --- | --- | --- |")
    for name, runs in starts.items():
        imports, loads = median([run[0] for run in runs]), median([run[1] for run in runs])
        print(f"| {name} | {imports:.1f} | {loads:.1f} |")
    print()
    print(f"| `make ask` on a 12 MP photo ({photo_mb:.1f} MB JPEG, 4000 x 3000, GPS EXIF), whole command, median of 3 | "
          "seconds |")
    print("| --- | --- |")
    for name, seconds in asks.items():
        print(f"| {name} | {seconds:.1f} |")
    print("\nThe stand-in bucket is moto's S3 server on this machine: the figure is this code's cost per 100 MB (HTTP, "
          "MD5, disk), not a network's; from S3 the download is bound by the line.")


if __name__ == "__main__":
    main()

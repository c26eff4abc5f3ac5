"""LocationNet's int8 copy and `make evaluate` on this CPU: agreement with fp32, and the time per 100 test photos.

    python -m workshop bench locationnet_evaluate

The network is LocationNet's shape (step03_latency.py: a ResNet-101 body over 15,527 cells, random weights) and the
tests' small network in LocationNet's format (tests/tiny_locationnet.py). Their int8 copies are made by
quantize.py's write_int8_copy on 100 photo-like JPEGs of 640 x 480 (32 calibrate). `make evaluate` then runs on the
LocationNet-size model against a test set already in its cache (100 listed photos on disk, so nothing is fetched):
its time per 100 photos covers reading, preprocessing and both networks (fp32 and int8), the table and the maps.
Agreement on random weights says little about the real model's: their 15,527 scores are nearly tied, so int8's
rounding moves the best guess often while the top 3 mostly stay (the weights are drawn from a fixed seed, so runs
compare). The real model's agreement is what `make locationnet` prints, and its copy is kept only at 95 % or more.
"""
import contextlib
import hashlib
import io
import tempfile
import time
from pathlib import Path

from workshop import evaluate
from workshop.bench import step03_latency  # the LocationNet-size files, the photos, the step's modules
from workshop.paths import ROOT

quantize = step03_latency.quantize
tiny = step03_latency.loader.load(ROOT / "tests", "tiny_locationnet")
PHOTOS = 100


def int8_copy(folder, jpegs):
    """(Agreement, seconds, CPU seconds) of write_int8_copy on `jpegs`."""
    started = time.perf_counter(), time.process_time()
    same, _ = quantize.write_int8_copy(str(folder), lambda locator: [quantize.batch(j, locator) for j in jpegs],
                                       min_agreement=0)
    return same, time.perf_counter() - started[0], time.process_time() - started[1]


def cached_testset(folder, jpegs):
    """The test list and its photos, as testset.py leaves them after a first run."""
    photos = folder / "mediaeval2016" / "photos"
    photos.mkdir(parents=True)
    lines = []
    for index, jpeg in enumerate(jpegs):
        photo_hash = hashlib.md5(jpeg).hexdigest()
        (photos / f"{photo_hash}.jpg").write_bytes(jpeg)
        lines.append(f"{index}\tuser\t{(index * 37) % 360 - 180}\t{(index * 17) % 140 - 60}\t16\t{photo_hash}\n")
    (folder / "mediaeval2016" / "mediaeval2016_test").write_text("".join(lines))


def main():
    step03_latency.mx.random.seed(0)  # the same random weights each run
    step03_latency.PHOTOS = PHOTOS
    jpegs = step03_latency.photos(640, 480)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        (scratch / "tiny").mkdir()
        small = tiny.write_locationnet(scratch / "tiny")
        rows.append(("tests' small LocationNet-format net (4 cells)",) + int8_copy(small, jpegs))
        big = scratch / "locationnet"
        big.mkdir()
        step03_latency.locationnet_files(big)
        rows.append(("LocationNet-size (ResNet-101, 15,527 cells, random weights)",) + int8_copy(big, jpegs))
        cached_testset(scratch / "testsets", jpegs)
        started = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            evaluate.main(["--model", str(big), "--photos", str(PHOTOS), "--testsets", str(scratch / "testsets"),
                           "--out", str(scratch / "evaluate")])
        seconds, cpu = time.perf_counter() - started[0], time.process_time() - started[1]
    print("## LocationNet: int8 on photos, and `make evaluate`\n")
    print(f"int8 copy (quantize.py, calibrated on 32 of {PHOTOS} photo-like JPEGs of 640 x 480), against fp32:\n")
    print("| network | same best guess | top-3 in common | make the copy and compare: s (CPU s) |")
    print("| --- | ---: | ---: | ---: |")
    for name, same, took, cpu_took in rows:
        print(f"| {name} | {same.best:.1%} | {same.top3:.1%} | {took:.1f} ({cpu_took:.1f}) |")
    print(f"\n`make evaluate` on the LocationNet-size model, {PHOTOS} cached test photos, fp32 and int8: "
          f"{seconds / PHOTOS * 100:.1f} s per 100 photos ({cpu / PHOTOS * 100:.1f} CPU s), loading both networks "
          "included. A busy machine stretches the seconds, not the CPU seconds.")


if __name__ == "__main__":
    main()

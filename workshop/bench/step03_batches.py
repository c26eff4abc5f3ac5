"""Issue 35, goal 3: `make evaluate` runs at batch speed (LocationNet-size, random weights).

    python -m workshop bench step03_batches

First the forward pass alone at batch sizes 1 to 16 (the time per photo; the best is the limit's base), then N
photo-like 640 x 480 JPEGs answered as `make evaluate` and quantize.py's comparison answer them (03_host/batched.py:
decoded and preprocessed by a pool of threads while the network answers the batch before, batched.BATCH photos at a
time), for fp32 (MKLDNN fused, as evaluate runs it) and the int8 copy. Limit: at most 2x N forward passes at the
best batch size. Prints ours / limit (at most 1 meets the goal).
"""
import shutil
import tempfile
import time
from pathlib import Path

import mxnet as mx

from workshop.bench import machine_flags, step03_latency
from workshop.bench.step03_request import int8_folder

PHOTOS = 48
BATCH_SIZES = (1, 2, 4, 8, 16)
LIMIT = 2.0


def per_photo(locator, batch, rounds=3):
    """Seconds per photo of the network alone at `batch` photos a call (best of `rounds` after a warm-up)."""
    inputs = mx.nd.zeros((batch, 3, locator.image_size, locator.image_size))
    locator(inputs).wait_to_read()
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        locator(inputs).wait_to_read()
        best = min(best, time.perf_counter() - started)
    return best / batch


def main():
    batched = step03_latency.loader.load(step03_latency.STEP, "batched")
    int8 = step03_latency.loader.load(step03_latency.STEP, "int8")
    folder = Path(tempfile.mkdtemp(prefix="batches-"))
    rows = []
    try:
        int8_folder(folder)
        jpegs = (step03_latency.photos(640, 480) * PHOTOS)[:PHOTOS]
        for name, locator in (("fp32", step03_latency.quantize.read_locator(str(folder)).warm_up(fuse=True)),
                              ("int8", int8.load(str(folder)).warm_up())):
            forward = {batch: per_photo(locator, batch) for batch in BATCH_SIZES}
            best = min(forward, key=forward.get)
            batched.ranked([locator], jpegs[: batched.BATCH])  # warm-up at the batch size
            started = time.perf_counter()
            batched.ranked([locator], jpegs)
            seconds = time.perf_counter() - started
            rows.append((name, forward, best, seconds))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("### Issue 35, goal 3: batch evaluation, LocationNet-size model\n")
    print(machine_flags() + "\n")
    print("| network | forward ms per photo at batch " + ", ".join(map(str, BATCH_SIZES)) + " | best batch | "
          f"{PHOTOS} photos by batched.ranked (batch {batched.BATCH}), s | {PHOTOS} forward passes at the best, s | "
          f"ratio (limit {LIMIT}) | ours / limit |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, forward, best, seconds in rows:
        base = forward[best] * PHOTOS
        print(f"| {name} | {', '.join(f'{forward[b] * 1000:.0f}' for b in BATCH_SIZES)} | {best} | {seconds:.1f} | "
              f"{base:.1f} | {seconds / base:.2f}x | {seconds / base / LIMIT:.2f} |")


if __name__ == "__main__":
    main()

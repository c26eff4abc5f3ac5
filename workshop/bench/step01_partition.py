"""Step 01 at scale: S2 leaf cell ids with each S2 library, and the whole partition (manifests.py) of a metadata file.

S2 libraries: s2sphere (pure Python, the workshop's) and s2rst (compiled, what manifests.py uses) are pinned; the
compiled s2geometry (Google's SWIG bindings) and the pure-Python s2cell are measured too when they are installed
(e.g. `pip install --target /tmp/s2 s2geometry==0.14.0 s2cell==1.8.0` and PYTHONPATH=/tmp/s2). Every library must
give s2sphere's ids. The partition runs on a synthetic metadata CSV (photos around the toy world's cities, one row in
50 a lone photo), with LocationNet's thresholds scaled to the row count, best of RUNS.
"""
import argparse
import random
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from workshop import loader
from workshop.paths import SOLUTIONS

STEP = SOLUTIONS / "01_data"
cellids, cities, manifests = (loader.load(STEP, name) for name in ("cellids", "cities", "manifests"))

POINTS, ROWS, RUNS = 100_000, 1_000_000, 2


def leaf_functions():
    """{library: function(lats, lngs) -> list of leaf ids} for every library that imports."""
    import s2sphere

    found = {
        "s2sphere 0.2.5 (pure Python)": lambda lats, lngs: [
            s2sphere.CellId.from_lat_lng(s2sphere.LatLng.from_degrees(lat, lng)).id() for lat, lng in zip(lats, lngs)
        ],
        "s2rst 0.5.0 (Rust, PyO3)": lambda lats, lngs: cellids.leaf_ids(lats, lngs).tolist(),
    }
    try:
        import s2geometry

        found["s2geometry (Google's C++, SWIG)"] = lambda lats, lngs: [
            s2geometry.S2CellId(s2geometry.S2LatLng.FromDegrees(lat, lng)).id() for lat, lng in zip(lats, lngs)
        ]
    except ImportError:
        pass
    try:
        import s2cell

        found["s2cell (pure Python)"] = lambda lats, lngs: [s2cell.lat_lon_to_cell_id(a, b) for a, b in zip(lats, lngs)]
    except ImportError:
        pass
    return found


def time_leaf_ids():
    rng = random.Random(0)
    lats = [rng.uniform(-90, 90) for _ in range(POINTS)]
    lngs = [rng.uniform(-180, 180) for _ in range(POINTS)]
    rates, expected = {}, None
    for name, function in leaf_functions().items():
        started = time.perf_counter()
        ids = function(lats, lngs)
        rates[name] = POINTS / (time.perf_counter() - started)
        expected = expected or ids
        assert ids == expected, f"{name} gives other cell ids than s2sphere"
    return rates


def write_metadata(path, rows):
    rng = random.Random(1)
    places = [(lat, lng) for _, lat, lng, _ in cities.CITIES]
    with open(path, "w") as file:
        file.write("photo_id,hash,lat,lng\n")
        for number in range(rows):
            if number % 50:
                lat, lng = rng.choice(places)
                lat, lng = lat + rng.gauss(0, 0.5), lng + rng.gauss(0, 0.5)
            else:
                lat, lng = rng.uniform(-60, 70), rng.uniform(-180, 180)
            file.write(f"{number},{rng.getrandbits(128):032x},{lat:.6f},{max(-180, min(180, lng)):.6f}\n")


def time_partition(rows):
    """(seconds, cells, manifest shards) of manifests.make_manifests on `rows` rows, best of RUNS."""
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        write_metadata(scratch / "meta.csv", rows)
        # LocationNet: 33.9 M photos, t_max 5,000, t_min 500. The same ratios to the row count.
        t_max = max(10, round(5000 * rows / 33.9e6))
        args = SimpleNamespace(
            metadata=scratch / "meta.csv", limit=None, t_max=t_max, t_min=max(1, t_max // 10), min_level=2,
            max_level=20, val_fraction=0.1, seed=0, shard_photos=manifests.SHARD_PHOTOS,
        )
        best = None
        for run in range(RUNS):
            folder = scratch / f"run-{run}"
            folder.mkdir()
            started = time.perf_counter()
            _, about = manifests.make_manifests(args, folder, folder / "manifests")
            seconds = time.perf_counter() - started
            best = min(best or seconds, seconds)
        return best, about, t_max


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    rows = parser.parse_args().rows
    with loader.visible(STEP):  # the partition's workers find manifests.py's functions by name
        rates = time_leaf_ids()
        seconds, about, t_max = time_partition(rows)
    slowest = min(rates.values())
    print("### Step 01 at scale: S2 cell ids and the partition of a metadata file\n")
    print(f"Leaf cell ids of {POINTS:,} random points, one library after the other in one process; every library gave "
          "s2sphere's ids.\n")
    print("| library | points per second | vs the slowest |")
    print("| --- | ---: | ---: |")
    for name, rate in sorted(rates.items(), key=lambda item: item[1]):
        print(f"| {name} | {rate:,.0f} | {rate / slowest:.1f}x |")
    print(f"\nmanifests.make_manifests on a {rows:,}-row metadata CSV (t_max {t_max}, t_min {t_max // 10}): read twice "
          f"in chunks, leaf ids, the adaptive split, the train/val split, cells.tsv and {about['manifests']} manifest "
          f"shards. Best of {RUNS}: {seconds:.1f} s, **{rows / seconds:,.0f} rows per second**, {about['cells']} cells."
          f" At that rate 33.9 M rows take {33.9e6 / (rows / seconds) / 60:.0f} minutes on one core.")


if __name__ == "__main__":
    main()

"""Step 01: geotagged photos -> adaptive S2 cells -> a classification dataset in MXNet RecordIO.

    python prepare.py --source sample|photos:DIR|mmcommons --out DIR [--limit N] [--t-max 5000] [--t-min 500]
                      [--min-level 2] [--max-level 20] [--image-size 256] [--val-fraction 0.1] [--seed 0]
                      [--workers N] [--metadata FILE] [--upload s3://bucket/prefix]
                      [--processing N [--local] [--role ARN] [--instance-type T] [--shard-photos 50000]]

The dataset folder (cells.tsv, photos.tsv, train/val .rec/.idx, cells.png, dataset.json) is written to a temporary
folder beside --out and renamed into place at the end, so a failed run leaves the previous dataset as it was.
"""
import argparse
import errno
import os
import re
import shutil
import signal
import sys
import tempfile
from collections import Counter
from pathlib import Path

import boto3

import cellmap
import cells
import dataset_json
import manifests
import mmcommons
import pack
import partition
import photos
import processing
import sample
import split
import upload
from errors import BadInput

# The toy world is small: its own defaults make a dataset of about 50 cells that trains in a minute on a laptop.
# Real photos get LocationNet's thresholds (5,000 / 500) and 256-pixel images.
DEFAULTS = {
    "sample": {"limit": 2000, "t_max": 100, "t_min": 10, "image_size": 64},
    "photos": {"limit": None, "t_max": 5000, "t_min": 500, "image_size": 256},
    "mmcommons": {"limit": None, "t_max": 5000, "t_min": 500, "image_size": 256},
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", required=True, help="sample (the toy world), photos:DIR or mmcommons")
    parser.add_argument("--out", required=True, type=Path, help="the dataset folder to write")
    parser.add_argument("--limit", type=int, help="use at most N photos (sample: how many to render, 2000)")
    parser.add_argument("--t-max", type=int, help="split cells with more photos than this (5000; sample 100)")
    parser.add_argument("--t-min", type=int, help="drop cells with fewer photos than this (500; sample 10)")
    parser.add_argument("--min-level", type=int, default=2, help="S2 level to start splitting from")
    parser.add_argument("--max-level", type=int, default=20, help="S2 level where splitting stops")
    parser.add_argument("--image-size", type=int, help="short side of the packed images in pixels (256; sample 64)")
    parser.add_argument("--val-fraction", type=float, default=0.1, help="share of each cell's photos kept for val")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="processes that read and pack photos")
    parser.add_argument("--metadata", type=Path, help="mmcommons: CSV of photo_id,hash,lat,lng (see README.md)")
    parser.add_argument("--upload", help="also upload the dataset to s3://bucket/prefix")
    scale = parser.add_argument_group("at scale (processing.py): metadata of millions of photos, packed in shards")
    scale.add_argument("--processing", type=int, metavar="N", help="pack with N SageMaker Processing instances")
    scale.add_argument("--local", action="store_true", help="--processing N: run the N packers on this machine")
    scale.add_argument("--role", default=os.environ.get("SAGEMAKER_ROLE"), help="execution role ARN ($SAGEMAKER_ROLE)")
    scale.add_argument("--instance-type", default="ml.c5.2xlarge", help="--processing: the packers' instance type")
    scale.add_argument("--volume-size", type=int, default=50, help="--processing: GB of disk on each instance")
    scale.add_argument("--shard-photos", type=int, default=manifests.SHARD_PHOTOS, help="photos a manifest shard")
    args = parser.parse_args(argv)
    kind = args.source.split(":", 1)[0]
    if kind not in DEFAULTS or (kind == "photos") != args.source.startswith("photos:"):
        raise BadInput(f"--source {args.source} is unknown: use sample, photos:DIR or mmcommons.")
    for name, value in DEFAULTS[kind].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def check(args):
    """Refuse flags that cannot work, before any work is done."""
    if args.t_min > args.t_max:
        raise BadInput(f"--t-min {args.t_min} is above --t-max {args.t_max}: no cell could be kept; lower --t-min.")
    if args.t_min < 1:
        raise BadInput("--t-min must be at least 1.")
    if not 0 <= args.min_level <= args.max_level <= 30:
        raise BadInput("S2 levels must satisfy 0 <= --min-level <= --max-level <= 30.")
    if not 0 <= args.val_fraction < 1:
        raise BadInput(f"--val-fraction {args.val_fraction} must be at least 0 and below 1 (e.g. 0.1).")
    if args.image_size < 16:
        raise BadInput(f"--image-size {args.image_size} is too small: use 16 pixels or more (e.g. 64 or 256).")
    if args.limit is not None and args.limit < 1:
        raise BadInput(f"--limit {args.limit} must be at least 1.")
    if args.workers < 1:
        raise BadInput(f"--workers {args.workers} must be at least 1.")
    if args.source == "mmcommons" and args.metadata is None:
        raise BadInput("--source mmcommons needs --metadata FILE, a CSV of photo_id,hash,lat,lng (see README.md).")
    folder = args.source[len("photos:") :]
    if args.source.startswith("photos:") and not (folder and Path(folder).is_dir()):
        raise BadInput(f"--source {args.source} names no folder: give photos:DIR, DIR being the folder of your photos.")
    check_out(args.out)


# What a dataset folder holds (train.rec, or shards train-00000.rec, ...): a folder with anything else is not one.
DATASET_FILE = re.compile(r"(cells\.tsv|photos\.tsv|cells\.png|dataset\.json|(train|val)(-\d+)?\.(rec|idx))")


def check_out(out):
    """--out must be a new folder, an empty one, or a dataset folder that this run may replace."""
    if out.is_symlink():
        raise BadInput(f"--out {out} is a symbolic link: give the folder itself (the run replaces --out).")
    if Path.cwd().resolve().is_relative_to(out.resolve()):
        raise BadInput(f"--out {out} is the folder you are in (or above it): give a new folder, e.g. --out data.")
    if out.is_file():
        raise BadInput(f"--out {out} is a file: choose another --out or remove it.")
    if out.is_dir():
        others = sorted(path.name for path in out.iterdir() if not DATASET_FILE.fullmatch(path.name))
        if others or (any(out.iterdir()) and not (out / "dataset.json").is_file()):
            listed = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            raise BadInput(f"--out {out} exists and is not a dataset folder (it holds {listed or 'no dataset.json'}, "
                           "which the run would delete): choose another --out or empty it.")


def collect(args, scratch):
    """(photos, skipped) from the chosen source."""
    if args.source == "sample":
        paths = sample.write_photos(scratch / "sample", args.limit, args.seed, args.image_size, args.workers)
        return photos.check(paths, [path.name for path in paths], args.workers)
    if args.source == "mmcommons":
        downloads = args.out.resolve().parent / "mmcommons"
        print(f"Photos from s3://{mmcommons.BUCKET} are kept in {downloads} (a second run reuses them).")
        return mmcommons.from_s3(args.metadata, downloads, args.limit, args.workers)
    return photos.from_folder(Path(args.source[len("photos:") :]), args.limit, args.workers)


def make_dataset(args, folder, scratch):
    """Write every file of the dataset into `folder`; returns dataset.json's content."""
    found, skipped = collect(args, scratch)
    found, dropped = photos.drop_copies(found)  # before the split: a copy must not land in train and in val
    skipped += dropped
    if not found:
        reasons = ", ".join(f"{count} {reason}" for reason, count in Counter(s.reason for s in skipped).items())
        raise BadInput(f"no usable photo in {args.source} ({reasons or 'no photos at all'}): add geotagged photos.")
    points = [(photo.lat, photo.lng) for photo in found]
    kept, _ = partition.partition(points, args.t_max, args.t_min, args.min_level, args.max_level)
    if not kept:
        raise BadInput(f"no S2 cell holds --t-min {args.t_min} of the {len(found)} photos: lower it or add photos.")
    classes = {index: number for number, (_, members) in enumerate(kept) for index in members}
    splits = split.split_cells(kept, args.val_fraction, args.seed)

    rows = cells.describe(kept, points)
    cells.write(folder / "cells.tsv", rows)
    left_out = {}  # photos deleted or damaged since they were read: skipped and counted
    for name in ("train", "val"):
        indices = [index for index in range(len(found)) if splits.get(index) == name]
        items = [(found[index].path, [classes[index], found[index].lat, found[index].lng]) for index in indices]
        for position in pack.write_records(folder / name, items, args.image_size, args.workers):
            left_out[indices[position]] = photos.GONE
            del splits[indices[position]]
    split.write_photos(folder / "photos.tsv", found, classes, splits, skipped, left_out)
    cellmap.draw(folder / "cells.png", rows)

    counts = Counter(splits.values())
    reasons = Counter(s.reason for s in skipped) + Counter(left_out.values())
    about = dataset_json.describe(args, len(kept), counts["train"], counts["val"], len(found) - len(classes), reasons)
    dataset_json.write(folder, about)
    return about


def write_atomically(out, build):
    """Run build(folder, scratch) on a temporary folder beside `out`, then put it in place of `out`."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
        temporary.chmod(0o755)  # mkdtemp makes it private; a dataset folder is not
    except OSError as error:
        raise BadInput(f"cannot write to --out {out} ({error.strerror}): choose a folder you can write to.")
    try:
        scratch = temporary / ".scratch"  # inside it: whenever a stop comes, the `finally` below removes both
        scratch.mkdir()
        result = build(temporary, scratch)
        shutil.rmtree(scratch)
        if out.exists():
            previous = out.with_name(f".{out.name}.previous")
            shutil.rmtree(previous, ignore_errors=True)
            out.rename(previous)
            temporary.rename(out)
            shutil.rmtree(previous)
        else:
            temporary.rename(out)
        return result
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise BadInput(f"the disk is full ({error.strerror}): free some space or give an --out on another disk; "
                       f"--out {out} is as it was.") from None
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def prepare(args):
    check(args)
    if args.processing is not None:
        processing.check(args)
    if args.upload:
        bucket, _ = upload.parse_uri(args.upload)
        upload.check_bucket(boto3.client("s3"), bucket)  # before the work, not after it
    build = make_dataset if args.processing is None else processing.make_dataset
    about = write_atomically(args.out, lambda folder, scratch: build(args, folder, scratch))
    print(
        f"Dataset in {args.out}: {about['photos']} photos in {about['cells']} cells "
        f"({about['train']} train, {about['val']} val); {about['excluded']} in cells below --t-min."
    )
    for reason, count in about["skipped"].items():
        print(f"  skipped {count} photos: {reason}")
    listing = f" and {args.out / 'photos.tsv'} for every photo" if args.processing is None else ""
    print(f"  see {args.out / 'cells.png'} for the map{listing}.")
    if args.upload:
        uris = upload.upload(args.out, args.upload)
        print(f"Uploaded {len(uris)} files:", *uris, sep="\n  ")
        role = "arn:aws:iam::<account>:role/<role>"
        print(f"Train on SageMaker with: make train DATA={args.upload.rstrip('/')} ROLE={role}")
    return about


def main(argv=None):
    try:
        prepare(parse_args(argv))
    except BadInput as error:
        sys.exit(f"prepare.py: {error}")
    except KeyboardInterrupt:
        print("prepare.py: interrupted; --out is as it was and the temporary folders are gone.", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a SIGTERM cleans up on its way out, as Ctrl-C does
    main()

"""Pack manifest shards into RecordIO: what every instance of the SageMaker Processing job runs.

    python pack_shards.py --input /opt/ml/processing/input/manifests --output /opt/ml/processing/output
                          --image-size 256 [--reports DIR] [--downloads DIR] [--workers N] [--delete-photos 1]

For every manifest-NNNNN.tsv in --input (ShardedByS3Key gives each instance its share; prepare.py --processing N
--local gives each of N processes its share the same way): download the shard's photos from the Multimedia Commons
bucket (concurrent, retried, kept on disk so that a rerun resumes, a missing one counted), set aside unreadable ones,
then write train-NNNNN.rec/.idx and val-NNNNN.rec/.idx into --output and report-NNNNN.json into --reports (default
--output/reports). A shard whose report is there already is done. It runs in the MXNet 1.9 container: Python 3.8,
and what requirements.txt adds.
"""
import argparse
import csv
import errno
import json
import os
import shutil
import sys
from collections import Counter
from pathlib import Path

import mmcommons
import pack
import photos
from errors import BadInput

MANIFEST_COLUMNS = ["photo", "hash", "lat", "lng", "class", "split"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", type=Path, default=Path("/opt/ml/processing/input/manifests"))
    parser.add_argument("--output", type=Path, default=Path("/opt/ml/processing/output"))
    parser.add_argument("--reports", type=Path, help="where the shard reports go (default: --output/reports)")
    parser.add_argument("--downloads", type=Path, default=Path("/opt/ml/processing/photos"))
    parser.add_argument("--image-size", type=int, default=256)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--delete-photos", type=int, choices=(0, 1), default=0, help="1: delete a shard's downloads")
    args = parser.parse_args(argv)
    args.reports = args.reports or args.output / "reports"
    return args


def read_manifest(path):
    """The rows of one manifest shard as dicts of MANIFEST_COLUMNS."""
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    if not rows:
        raise BadInput(
            "%s holds no photos: make the manifests again (prepare.py --processing N) and run again." % path.name
        )
    if not set(MANIFEST_COLUMNS) <= set(rows[0]):
        raise BadInput("%s needs the columns %s: make it with prepare.py." % (path.name, ",".join(MANIFEST_COLUMNS)))
    return rows


def pack_shard(manifest, output, downloads, image_size, workers, s3=None):
    """Download, check and pack the photos of one manifest shard; returns its report."""
    number = manifest.stem.split("-")[-1]
    checked, dropped = mmcommons.checked_rows([(row["photo"], row["hash"], row) for row in read_manifest(manifest)])
    rows = [row for _, _, row in checked]
    problems = mmcommons.download([(row["photo"], row["hash"]) for row in rows], downloads, max(8, 4 * workers), s3)
    fetched = [row for row in rows if problems[row["photo"]] is None]
    found, unreadable = photos.check(
        [downloads / (row["photo"] + ".jpg") for row in fetched],
        [row["photo"] for row in fetched],
        workers,
        positions=[(float(row["lat"]), float(row["lng"])) for row in fetched],
    )
    classes = {row["photo"]: (int(row["class"]), row["split"]) for row in rows}
    report = {"shard": number, "train": 0, "val": 0}
    left_out = 0  # photos deleted or damaged since they were checked
    for split in ("train", "val"):
        items = [(photo.path, [classes[photo.name][0], photo.lat, photo.lng]) for photo in found
                 if classes[photo.name][1] == split]
        lost = pack.write_records(output / ("%s-%s" % (split, number)), items, image_size, workers) if items else []
        report[split] = len(items) - len(lost)
        left_out += len(lost)
    skipped = [reason for reason in problems.values() if reason] + [photo.reason for photo in unreadable]
    skipped += [photos.GONE] * left_out
    skipped += [photo.reason for photo in dropped]
    report["skipped"] = dict(sorted(Counter(skipped).items()))
    return report


def write_report(path, report):
    """The report appears under its name only once it is complete: it marks the shard as done."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(report, indent=2) + "\n")
    partial.rename(path)


def pack_shards(args, s3=None):
    """Every shard in args.input that has no report yet; returns the reports of this run."""
    manifests = sorted(args.input.glob("manifest-*.tsv"))
    print("%d manifest shard(s) in %s" % (len(manifests), args.input), flush=True)
    reports = []
    for manifest in manifests:
        report_path = args.reports / ("report-%s.json" % manifest.stem.split("-")[-1])
        if report_path.exists():
            continue
        folder = args.downloads / manifest.stem
        report = pack_shard(manifest, args.output, folder, args.image_size, args.workers, s3)
        write_report(report_path, report)
        if args.delete_photos:
            shutil.rmtree(folder, ignore_errors=True)
        print("shard %(shard)s: %(train)d train, %(val)d val, skipped %(skipped)s" % report, flush=True)
        reports.append(report)
    return reports


def main(argv=None):
    args = parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    try:
        pack_shards(args)
    except BadInput as error:
        sys.exit("pack_shards.py: %s" % error)
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        sys.exit("pack_shards.py: the disk is full (%s): free some space or give the instances more (prepare.py "
                 "--volume-size); the finished shards keep their reports, so a rerun packs only the others."
                 % error.strerror)


if __name__ == "__main__":
    main()

"""Real photos: the Multimedia Commons copy of YFCC100M on S3, fetched for the rows of a metadata file.

The metadata file is a CSV (or tab-separated) file with the header `photo_id,hash,lat,lng`; README.md says how to cut
one from the full YFCC100M metadata. Downloads run in threads with unsigned requests (the bucket is public), retry
with exponential backoff (botocore's standard retry mode), skip files already on disk (so a run can resume) and count
an object that is missing on S3 instead of failing.
"""
import csv
import math
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

import geotag
import photos
from errors import BadInput
from parallel import progress

BUCKET = "multimedia-commons"
REGION = "us-west-2"
COLUMNS = ("photo_id", "hash", "lat", "lng")
MISSING = "missing on S3"
# A photo_id names a file (<photo_id>.jpg): only YFCC100M's own ids, Flickr's ASCII digits, so "../../x" or "/x" never
# writes outside the folder. A hash names the object in the bucket: lower-case hex (YFCC100M's are 32 digits).
PHOTO_ID = re.compile(r"[0-9]{1,19}")
PHOTO_HASH = re.compile(r"[0-9a-f]{6,64}")
BAD_ID = "a photo_id that is not a YFCC100M id (ASCII digits), or a hash that is not hex"
DUPLICATE = "a photo_id listed before (the first row is kept)"


def image_key(photo_hash):
    """Where a photo lives in the bucket."""
    return f"data/images/{photo_hash[0:3]}/{photo_hash[3:6]}/{photo_hash}.jpg"


def s3_client(threads):
    config = Config(
        signature_version=UNSIGNED, retries={"max_attempts": 8, "mode": "standard"}, max_pool_connections=threads
    )
    return boto3.client("s3", region_name=REGION, config=config)


def number(text):
    """A float exactly as Python reads it, NaN where there is none."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def read_metadata(path, limit):
    """[(photo_id, hash, lat, lng), ...] from the metadata file, at most `limit` rows."""
    try:
        with open(path, newline="", encoding="utf-8") as file:
            first = file.readline()
            file.seek(0)
            rows = list(csv.DictReader(file, delimiter="\t" if "\t" in first else ","))
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"cannot read --metadata {path} ({error}): give a CSV file with photo_id,hash,lat,lng.")
    if not rows or not set(COLUMNS) <= set(rows[0]):
        raise BadInput(f"--metadata {path} needs a header with the columns {','.join(COLUMNS)} and at least one row.")
    return [(row["photo_id"], row["hash"], number(row["lat"]), number(row["lng"])) for row in rows[:limit]]


def checked_rows(rows):
    """(rows whose photo_id and hash have YFCC100M's shape, each photo_id once; Skipped for the others)."""
    kept, skipped, seen = [], [], set()
    for row in rows:
        photo_id, photo_hash = row[0], row[1]
        if not (PHOTO_ID.fullmatch(photo_id) and PHOTO_HASH.fullmatch(photo_hash)):
            skipped.append(photos.Skipped(photo_id, BAD_ID))
        elif photo_id in seen:
            skipped.append(photos.Skipped(photo_id, DUPLICATE))
        else:
            seen.add(photo_id)
            kept.append(row)
    return kept, skipped


def download(rows, folder, threads, s3=None):
    """Fetch each row's photo into folder/<photo_id>.jpg unless it is there already.

    Returns {photo_id: None when the file is on disk, else why it is not}.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    s3 = s3 or s3_client(threads)

    def fetch(row):
        photo_id, photo_hash = row[0], row[1]
        if not (PHOTO_ID.fullmatch(photo_id) and PHOTO_HASH.fullmatch(photo_hash)):
            return photo_id, BAD_ID  # checked_rows drops these first; never a file outside `folder`
        target = folder / f"{photo_id}.jpg"
        if target.exists():
            return photo_id, None
        try:
            body = s3.get_object(Bucket=BUCKET, Key=image_key(photo_hash))["Body"].read()
        except ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey"):
                return photo_id, MISSING
            raise BadInput(f"S3 answered {error} for {image_key(photo_hash)}: try again later; fetched photos stay.")
        except BotoCoreError as error:
            raise BadInput(f"could not reach S3 ({error}): check your network and try again; fetched photos stay.")
        partial = target.with_suffix(".part")  # a photo appears under its name only once it is complete
        partial.write_bytes(body)
        partial.rename(target)
        return photo_id, None

    with ThreadPoolExecutor(threads) as pool:
        return dict(progress(pool.map(fetch, rows), len(rows), "Downloading"))


def from_s3(metadata, folder, limit, workers, s3=None):
    """The photos listed in `metadata`, downloaded into `folder`: (photos, skipped)."""
    rows, skipped = checked_rows(read_metadata(metadata, limit))
    possible = [row for row in rows if geotag.is_possible(row[2], row[3])]
    skipped += [photos.Skipped(row[0], photos.IMPOSSIBLE) for row in rows if not geotag.is_possible(row[2], row[3])]
    problems = download(possible, folder, threads=max(8, 4 * workers), s3=s3)
    skipped += [photos.Skipped(photo_id, reason) for photo_id, reason in problems.items() if reason]
    fetched = [row for row in possible if problems[row[0]] is None]
    found, unreadable = photos.check(
        [Path(folder) / f"{row[0]}.jpg" for row in fetched],
        [row[0] for row in fetched],
        workers,
        positions=[(row[2], row[3]) for row in fetched],
    )
    return found, skipped + unreadable

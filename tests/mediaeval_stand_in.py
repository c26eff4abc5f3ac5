"""A stand-in for the public buckets, on 127.0.0.1: moto's S3 server holding a short MediaEval 2016 test list
(mmcommons-tutorial) and its photos (multimedia-commons), public-read and fetched unsigned as the real ones are."""
import contextlib
import io

import boto3
import numpy as np
from PIL import Image

import moto_server

TUTORIAL = "mmcommons-tutorial"
COMMONS = "multimedia-commons"
LIST_KEY = "datasets/location-estimation/mediaeval2016_test"

# hash, lat, lng: where each test photo was taken. The last one is listed but not in the bucket.
PHOTOS = [
    ("a1b2c3d4e5f60718293a4b5c6d7e8f90", 48.8584, 2.2945),  # Paris
    ("0f1e2d3c4b5a69788796a5b4c3d2e1f0", 35.6586, 139.7454),  # Tokyo
    ("d661b83d659af4d818ddd6edf54096", -12.0464, -77.0428),  # Lima (a 30-digit hash: bytes lose leading zeros)
    ("1234567890abcdef1234567890abcdef", -33.9249, 18.4241),  # Cape Town
    ("fedcba0987654321fedcba0987654321", 40.7128, -74.0060),  # New York
    ("deadbeef00000000deadbeef00000000", 51.5007, -0.1246),  # London: missing on S3
]
MISSING = PHOTOS[-1][0]
# Lines the reader must set aside, each for its own reason (and a blank line, which is no photo at all).
BAD_LINES = [
    "9001\tuser\t2.35",  # too few fields
    "9002\tuser\teast\t48.85\t1\tabcdef0123456789abcdef0123456789",  # a longitude that is no number
    "9003\tuser\t2.35\t95.0\t1\tabcdef0123456789abcdef0123456789",  # a latitude beyond 90
    "9004\tuser\t2.35\t48.85\t1\t../../etc/passwd",  # a "hash" that would leave the photo folder
    "9005\tuser\t2.2945\t48.8584\t1\ta1b2c3d4e5f60718293a4b5c6d7e8f90",  # the first photo again
    "",
]


def list_line(number, photo_hash, lat, lng):
    """One line as the real list has it: photo id, user, longitude, latitude, ..., hash."""
    return f"{number}\t{number % 7}@N00\t{lng}\t{lat}\t16\t{photo_hash}"


def list_text(photos=PHOTOS, bad=BAD_LINES):
    good = [list_line(1000 + i, h, lat, lng) for i, (h, lat, lng) in enumerate(photos)]
    # the bad lines come between the photos, so reading on past them matters
    return "\n".join(good[:2] + bad + good[2:]) + "\n"


def photo_jpeg(index, size=(320, 240)):
    """A small real JPEG with texture (int8 calibration needs pixels that vary), different for each index."""
    rng = np.random.default_rng(index)
    base = np.array([(index * 67) % 256, (index * 131) % 256, (index * 29) % 256], dtype=np.float64)
    rows = np.linspace(0, 1, size[1])[:, None, None]
    pixels = base * (0.4 + 0.6 * rows) + rng.normal(0, 40, (size[1], size[0], 3))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def fill(url, photos=PHOTOS, text=None):
    """Both buckets at `url`, as the public ones are laid out, and nothing else; returns the S3 client."""
    s3 = boto3.client("s3", region_name="us-west-2", endpoint_url=moto_server.emptied(url))
    for bucket in (TUTORIAL, COMMONS):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    body = (list_text(photos) if text is None else text).encode()
    s3.put_object(Bucket=TUTORIAL, Key=LIST_KEY, Body=body, ACL="public-read")
    for index, (photo_hash, _, _) in enumerate(photos):
        if photo_hash != MISSING:
            key = f"data/images/{photo_hash[:3]}/{photo_hash[3:6]}/{photo_hash}.jpg"
            s3.put_object(Bucket=COMMONS, Key=key, Body=photo_jpeg(index), ACL="public-read")
    return s3


@contextlib.contextmanager
def buckets(monkeypatch, url, photos=PHOTOS, text=None):
    """moto's server at `url` (the `moto_server` fixture) filled; LOCATIONNET_URL and AWS_ENDPOINT_URL_S3 point at
    it."""
    s3 = fill(url, photos, text)
    monkeypatch.setenv("LOCATIONNET_URL", f"{url}/{TUTORIAL}/models/")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", url)
    yield s3

"""A small world for the at-scale tests: photos around three cities, their metadata file, and a stand-in bucket."""
import io
import random

import boto3
from PIL import Image

CITIES = [(48.85, 2.35), (35.68, 139.65), (-33.87, 151.21)]
# Few photos, small cells: t_max 12 splits the crowded cities, t_min 3 drops the lonely photos.
FLAGS = ["--t-max", "12", "--t-min", "3", "--image-size", "32", "--workers", "1", "--seed", "5"]


def rows(count=66, seed=0):
    """[(photo_id, hash, lat, lng)]: clusters around CITIES and a few lone photos."""
    rng = random.Random(seed)
    found = []
    for number in range(count):
        lat, lng = CITIES[number % 3] if number % 11 else (rng.uniform(-60, 60), rng.uniform(-180, 180))
        photo_hash = f"{rng.getrandbits(128):032x}"
        found.append((str(5000 + number), photo_hash, lat + rng.gauss(0, 0.3), lng + rng.gauss(0, 0.3)))
    return found


def jpeg(number):
    buffer = io.BytesIO()
    Image.new("RGB", (48, 36), (number * 37 % 256, number * 11 % 256, 120)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def write_metadata(path, listed):
    path.write_text("photo_id,hash,lat,lng\n" + "".join(f"{i},{h},{lat!r},{lng!r}\n" for i, h, lat, lng in listed))
    return path


def fill_bucket(listed, endpoint_url=None):
    """The Multimedia Commons bucket (moto) holding the photo of every row."""
    s3 = boto3.client("s3", region_name="us-west-2", endpoint_url=endpoint_url)
    s3.create_bucket(Bucket="multimedia-commons", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    for photo_id, photo_hash, _, _ in listed:
        key = f"data/images/{photo_hash[:3]}/{photo_hash[3:6]}/{photo_hash}.jpg"
        # The bucket is public: the packers read it unsigned.
        s3.put_object(Bucket="multimedia-commons", Key=key, Body=jpeg(int(photo_id)), ACL="public-read")
    return s3

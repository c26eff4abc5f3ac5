"""A stand-in for the public mmcommons-tutorial bucket on 127.0.0.1: moto's S3 server with public-read objects, which
answers unsigned GETs (Range too) as S3 does, and a proxy in front of it that cuts or damages a download."""
import contextlib
import threading
import time
from pathlib import Path

import boto3
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from shutdown_poll import POLL
from tiny_locationnet import write_locationnet
from workshop.paths import ROOT

BUCKET = "mmcommons-tutorial"  # the bucket of tests/mediaeval_stand_in.py too: the model beside the test list
PREFIX = "models/"
GRIDS = ROOT / "third_party" / "WhereML" / "grids.txt"


def vendored_grids():
    """[(token, lat, lng)] of the 15,527 lines of the grids.txt this repository carries."""
    rows = [line.split() for line in GRIDS.read_text().splitlines() if line.strip()]
    return [(token, float(lat), float(lng)) for token, lat, lng in rows]


def locationnet_files(folder, classes=None):
    """{name: bytes} of a small network in LocationNet's format with one class per cell of the vendored grids.txt
    (or `classes` of them)."""
    grids = vendored_grids()
    Path(folder).mkdir(parents=True, exist_ok=True)
    write_locationnet(folder, grids[:classes] if classes else grids, with_grids=False)
    return {name: (Path(folder) / name).read_bytes() for name in ("RN101-5k500-symbol.json", "RN101-5k500-0012.params")}


class StandInBucket:
    """The bucket on moto's server at `endpoint` (emptied first: tests/moto_server.py); .url is what LOCATIONNET_URL
    gets (the folder of the model files)."""

    def __init__(self, endpoint):
        requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()  # moto keeps buckets per process
        self.endpoint = endpoint
        self.url = f"{self.endpoint}/{BUCKET}/{PREFIX}"
        self.s3 = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-west-2",
                               aws_access_key_id="stand-in", aws_secret_access_key="stand-in")
        self.s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})

    def put(self, name, body, public=True):
        extra = {"ACL": "public-read"} if public else {}
        self.s3.put_object(Bucket=BUCKET, Key=PREFIX + name, Body=body, **extra)

    def delete(self, name):
        self.s3.delete_object(Bucket=BUCKET, Key=PREFIX + name)


class Proxy:
    """Forwards GETs to the bucket. .cut[name] = n makes the next answer for `name` stop after n bytes of its body
    (the connection closes: a cut download); .stall[name] = n makes it wait a minute after n bytes; a name in .damage
    gets its next answer with one byte flipped. .ranges lists (name, Range header) of each request."""

    def __init__(self, bucket):
        self.bucket, self.cut, self.stall, self.damage, self.ranges = bucket, {}, {}, set(), []
        self.server = make_server("127.0.0.1", 0, self.answer, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/{BUCKET}/{PREFIX}"
        threading.Thread(target=self.server.serve_forever, kwargs=POLL, daemon=True).start()

    def answer(self, environ, start_response):
        request = Request(environ)
        name = request.path.rsplit("/", 1)[-1]
        self.ranges.append((name, request.headers.get("Range")))
        headers = {key: request.headers[key] for key in ("Range", "If-Range") if key in request.headers}
        upstream = requests.get(self.bucket.endpoint + request.path, headers=headers, timeout=10)
        body, cut, stall = upstream.content, self.cut.pop(name, None), self.stall.pop(name, None)
        if name in self.damage and body:
            body = body[:-1] + bytes([body[-1] ^ 0xFF])
            self.damage.discard(name)
        kept = {name: value for name, value in upstream.headers.items()
                if name.lower() in ("etag", "content-range", "content-type", "accept-ranges")}
        chunks = [body] if cut is None else [body[:cut]]
        if stall is not None:
            chunks = stalled(body, stall)
        response = Response(chunks, status=upstream.status_code, headers=kept)
        response.headers["Content-Length"] = str(len(body))  # announced whole, even when cut short
        return response(environ, start_response)

    def stop(self):
        self.server.shutdown()


def stalled(body, after):
    yield body[:after]
    time.sleep(60)
    yield body[after:]


@contextlib.contextmanager
def standin_bucket(files, endpoint):
    """The bucket on moto's server at `endpoint` holding `files` ({name: bytes}, public-read) and a proxy in front of
    it."""
    bucket = StandInBucket(endpoint)
    for name, body in files.items():
        bucket.put(name, body)
    proxy = Proxy(bucket)
    try:
        yield bucket, proxy
    finally:
        proxy.stop()

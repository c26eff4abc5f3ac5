"""A public test set of real photos: the MediaEval 2016 Placing Task test list, and its first photos fetched by hash.

    python -m workshop testset --photos 1000 --out build/testsets/mediaeval2016

The list is `datasets/location-estimation/mediaeval2016_test` in the public mmcommons-tutorial bucket: one photo a
line, tab-separated; as the multimedia-berkeley geolocation tutorial reads it, field 2 (counting from 0) is the
longitude, field 3 the latitude and the last field the photo's hash. It is downloaded by workshop/download.py
(resumed only where proven, capped, on time). The photos themselves are in the multimedia-commons bucket, fetched as
step 01's mmcommons.py fetches any photo (loaded from solutions/ by path). Both keep what they got: the list in
`<out>/mediaeval2016_test`, the photos in `<out>/photos/<hash>.jpg`.

LOCATIONNET_URL, which names the bucket's models/ folder for `make locationnet` (a mirror, or a stand-in for tests),
moves the list too: it is read from datasets/... beside that folder. The photos' S3 endpoint is boto3's own setting,
AWS_ENDPOINT_URL_S3.
"""
import argparse
import collections
import os
import re
import sys
from pathlib import Path

from workshop import download, loader
from workshop.paths import BUILD, SOLUTIONS

MODELS_URL = "https://s3.amazonaws.com/mmcommons-tutorial/models/"  # the public bucket, as the tutorial addresses it
LIST_KEY = "datasets/location-estimation/mediaeval2016_test"
LIST_NAME = "mediaeval2016_test"
MAX_LIST_BYTES = 512 << 20  # the list is about a hundred megabytes: a list that never ends is stopped here
# A photo's name in the bucket: its MD5 in hex, each byte without its leading zero (so 16 to 32 characters, as README.md
# shows). Nothing but hex digits may reach a key or a file name.
HASH = re.compile(r"[0-9a-f]{16,32}")
AGAIN = "make locationnet"

TestPhoto = collections.namedtuple("TestPhoto", "hash lat lng line")  # line: where it is in the list, from 1
TestList = collections.namedtuple("TestList", "photos bad")  # bad: {reason: number of lines}
Fetched = collections.namedtuple("Fetched", "photos missing unreadable")  # photos: [(path, TestPhoto)]

TOO_FEW_FIELDS = "fewer than 5 tab-separated fields"
NOT_A_POSITION = "no longitude/latitude in fields 2 and 3"
NOT_A_HASH = "the last field is no hex hash"
REPEATED = "a hash listed before"
Failed = download.Failed


def step(name):
    """A module of step 01's solution (geotag, mmcommons, photos, errors), loaded as its own folder sees it."""
    return loader.load(SOLUTIONS / "01_data", name)


def list_url(models_url=None):
    """Where the test list is: beside the models/ folder that LOCATIONNET_URL (or the public bucket) names."""
    models_url = models_url or os.environ.get("LOCATIONNET_URL") or MODELS_URL
    return download.join(models_url, "../" + LIST_KEY)


def fetch_list(folder, models_url=None):
    """The test list in `folder`, downloaded once."""
    target = Path(folder) / LIST_NAME
    if not target.exists():
        Path(folder).mkdir(parents=True, exist_ok=True)
        advice = ("Check LOCATIONNET_URL (the models/ folder of a mirror of the mmcommons-tutorial bucket), or put the "
                  f"list at {target} yourself.")
        download.fetch(list_url(models_url), target, MAX_LIST_BYTES, AGAIN, advice)
    return target


def read_list(path):
    """TestList: every usable line of the test list, in file order, and how many lines were not, by reason."""
    found, bad, seen = [], collections.Counter(), set()
    number_of, possible = step("mmcommons").number, step("geotag").is_possible
    with open(path, encoding="utf-8", errors="replace") as file:
        for number, line in enumerate(file, 1):
            if not line.strip():
                continue
            reason, photo = _read_line(line.rstrip("\r\n").split("\t"), number, number_of, possible)
            if photo is not None and photo.hash in seen:
                reason = REPEATED
            if reason:
                bad[reason] += 1
            else:
                seen.add(photo.hash)
                found.append(photo)
    return TestList(found, dict(bad))


def _read_line(fields, number, number_of, possible):
    if len(fields) < 5:
        return TOO_FEW_FIELDS, None
    lng, lat = number_of(fields[2]), number_of(fields[3])
    if not possible(lat, lng):
        return NOT_A_POSITION, None
    photo_hash = fields[-1].strip()
    if not HASH.fullmatch(photo_hash):
        return NOT_A_HASH, None
    return None, TestPhoto(photo_hash, lat, lng, number)


def fetch_photos(listed, folder, threads=8, s3=None):
    """Fetched: the photos of `listed` in `folder`/<hash>.jpg (those already there are kept), readable ones only.

    mmcommons.download names a file by a YFCC100M-style number: the photo's line in the list, renamed to its hash
    once it is complete (a run stopped in between finds <line>.jpg and renames it)."""
    folder = Path(folder)
    wanted = [photo for photo in listed if not (folder / f"{photo.hash}.jpg").exists()]
    mmcommons = step("mmcommons")
    try:
        problems = mmcommons.download([(str(photo.line), photo.hash) for photo in wanted], folder, threads, s3)
    except step("errors").BadInput as error:
        raise Failed(str(error)) from None
    missing = {photo.hash for photo in wanted if problems[str(photo.line)]}
    for photo in wanted:
        if photo.hash not in missing:
            (folder / f"{photo.line}.jpg").rename(folder / f"{photo.hash}.jpg")
    on_disk = [photo for photo in listed if photo.hash not in missing]
    paths = [folder / f"{photo.hash}.jpg" for photo in on_disk]
    positions = [(photo.lat, photo.lng) for photo in on_disk]
    readable, unreadable = step("photos").check(paths, [photo.hash for photo in on_disk], 1, positions)
    by_hash = {photo.hash: photo for photo in on_disk}
    return Fetched(
        [(Path(found.path), by_hash[found.name]) for found in readable],
        [photo.hash for photo in listed if photo.hash in missing],
        [skipped.name for skipped in unreadable],
    )


def first_photos(out, count, models_url=None, s3=None):
    """(TestList, Fetched): the test list read in full, and its first `count` usable photos fetched into out/photos."""
    listed = read_list(fetch_list(out, models_url))
    if not listed.photos:
        raise Failed(f"{Path(out) / LIST_NAME} has no usable line ({describe_bad(listed.bad)}): delete it and run "
                     "again to download it afresh.")
    return listed, fetch_photos(listed.photos[:count], Path(out) / "photos", s3=s3)


def describe_bad(bad):
    return ", ".join(f"{number} with {reason}" for reason, number in sorted(bad.items())) or "none bad"


def report(listed, fetched, folder):
    """What the test list and the fetch gave, in two lines."""
    lines = sum(listed.bad.values()) + len(listed.photos)
    wanted = len(fetched.photos) + len(fetched.missing) + len(fetched.unreadable)
    return (
        f"The test list has {lines:,} lines: {len(listed.photos):,} usable, {sum(listed.bad.values()):,} not "
        f"({describe_bad(listed.bad)}).\n"
        f"{len(fetched.photos)} of its first {wanted} photos are in {folder}; {len(fetched.missing)} missing on S3, "
        f"{len(fetched.unreadable)} unreadable."
    )


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m workshop testset", description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=1000, help="how many of the list's first photos to fetch")
    parser.add_argument("--out", type=Path, default=BUILD / "testsets" / "mediaeval2016", help="where to keep them")
    args = parser.parse_args(argv)
    if args.photos < 1:
        parser.error("--photos must be 1 or more")
    try:
        listed, fetched = first_photos(args.out, args.photos)
    except Failed as error:
        sys.exit(f"make locationnet: the test list: {error}")
    except KeyboardInterrupt:
        sys.exit(f"\nmake locationnet: interrupted. What arrived is kept in {args.out}: run `make locationnet` again "
                 "and it goes on from there.")
    print(report(listed, fetched, args.out / "photos"))


if __name__ == "__main__":
    main()

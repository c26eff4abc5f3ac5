"""Photos on disk: find them, read each one's GPS position from EXIF, and set aside the ones that cannot be used."""
import hashlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

import geotag
import parallel

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp"}
NO_GPS = "no GPS position in EXIF"
BAD_GPS = "a GPS position in EXIF that cannot be read"
IMPOSSIBLE = "impossible position (latitude beyond ±90 or longitude beyond ±180)"
UNREADABLE = "unreadable or truncated image"
BAD_EXIF = "EXIF data that cannot be read (a tag of the wrong type)"
NOT_A_FILE = "not a regular file (a pipe, a device or a broken link)"
NOT_UTF8 = "a file name that is not UTF-8"
COPY = "the same bytes as a photo before it (one copy is kept, so that no photo is in both train and val)"
GONE = "deleted or damaged after it was read"


@dataclass(frozen=True)
class Photo:
    name: str  # how photos.tsv names it
    path: str
    lat: float
    lng: float


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


def find_images(folder):
    """Every image file under `folder`, in a stable (sorted) order."""
    return sorted(path for path in Path(folder).rglob("*") if path.suffix.lower() in IMAGE_SUFFIXES)


def inspect(path, position=None):
    """(lat, lng) of the photo at `path` (from its EXIF unless `position` is given), or why it cannot be used.

    The whole image is decoded (at 1/8 scale, which is cheap) so a truncated file is caught here, not later.
    """
    try:
        with Image.open(path) as image:
            if position is None:
                try:
                    position = geotag.read_position(image)
                except (TypeError, ValueError, ZeroDivisionError):  # a GPS block without three numbers a coordinate
                    return BAD_GPS
            image.draft("RGB", (64, 64))
            image.load()
            try:
                ImageOps.exif_transpose(image, in_place=True)  # as thumbnail.py will, on this small copy
            except (TypeError, ValueError):
                return BAD_EXIF
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return UNREADABLE
    if position is None:
        return NO_GPS
    if not geotag.is_possible(*position):
        return IMPOSSIBLE
    return position


def drop_copies(found):
    """(the photos whose bytes were not seen before, Skipped for the copies and for files gone since they were read).

    A photo in both train and val would be measured on what the model learnt: keep one copy per content hash."""
    seen, kept, dropped = set(), [], []
    for photo in found:
        try:
            digest = hashlib.sha256(Path(photo.path).read_bytes()).digest()
        except OSError:
            dropped.append(Skipped(photo.name, GONE))
            continue
        if digest in seen:
            dropped.append(Skipped(photo.name, COPY))
        else:
            seen.add(digest)
            kept.append(photo)
    return kept, dropped


def _inspect_one(item):
    path, position = item
    return inspect(path, position)


def check(paths, names, workers, positions=None):
    """Photo for every usable file and Skipped (with the reason) for the others, in the order given."""
    positions = positions or [None] * len(paths)
    # list(): runs the workers to their end here
    results = list(parallel.ordered_map(_inspect_one, zip(map(str, paths), positions), workers, "Reading photos"))
    photos, skipped = [], []
    for path, name, result in zip(paths, names, results):
        if isinstance(result, str):
            skipped.append(Skipped(name, result))
        else:
            photos.append(Photo(name, str(path), *result))
    return photos, skipped


def from_folder(folder, limit, workers):
    """The photos of a folder (GPS from EXIF): (photos, skipped). At most `limit` files are looked at.

    A file that is no regular file (opening a pipe named x.jpg would wait forever) or whose name is not UTF-8
    (photos.tsv could not hold it) is skipped before it is opened."""
    paths, names, skipped = [], [], []
    for path in find_images(folder)[:limit]:
        name = path.relative_to(folder).as_posix()
        if not _is_utf8(name):
            skipped.append(Skipped(name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"), NOT_UTF8))
        elif not path.is_file():
            skipped.append(Skipped(name, NOT_A_FILE))
        else:
            paths.append(path)
            names.append(name)
    found, unusable = check(paths, names, workers)
    return found, skipped + unusable


def _is_utf8(name):
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # a byte that is not UTF-8 arrives as a lone surrogate
        return False
    return True


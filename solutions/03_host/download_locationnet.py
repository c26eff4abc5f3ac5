"""`make locationnet`: the talk's own model, LocationNet (RN101-5k500), downloaded, checked, and given its places.

    python download_locationnet.py [--out build/locationnet] [--from DIR]

The symbol and the parameters come from the public mmcommons-tutorial bucket by plain HTTPS GETs (no AWS account
needed; LOCATIONNET_URL names a mirror), with a progress bar, and a cut download resumes where it stopped (HTTP Range).
grids.txt comes from this repository (third_party/WhereML). Everything lands in a staging folder beside --out
(build/locationnet.partial) and is checked there: the symbol parses, every parameter loads with its shape, the
network has one class per line of grids.txt, and a forward pass gives probabilities that sum to 1. Then each cell is
named once with the offline reverse geocoder of step 01 (cells.tsv, step 01's format), and only then does the folder
take the place of --out, where serve.py and model_fn load it. A second run with good files there downloads nothing.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path

import mxnet as mx
import numpy as np
import requests
from tqdm import tqdm

import cells
import locationnet

HERE = Path(__file__).resolve().parent
DEFAULT_URL = "https://s3.amazonaws.com/mmcommons-tutorial/models/"
VENDORED_GRIDS = HERE.parent.parent / "third_party" / "WhereML" / "grids.txt"
DOWNLOADS = (locationnet.SYMBOL, locationnet.PARAMS)
KEPT = DOWNLOADS + (locationnet.GRIDS, locationnet.CELLS)
CHUNK = 1 << 16  # a cut connection loses at most the chunk being read
TIMEOUT = (10, 60)  # seconds to connect, seconds without a byte
GET_THEM_ELSEWHERE = (
    "Without that bucket, get RN101-5k500-symbol.json and RN101-5k500-0012.params another way (another machine, a "
    "USB stick, a mirror: LOCATIONNET_URL=https://your-mirror/models/) and run "
    "`make locationnet FROM=folder-with-them`."
)


class Failed(Exception):
    """What went wrong and what to do about it, in one paragraph."""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build/locationnet"), help="where the model's files go")
    parser.add_argument("--from", dest="source", type=Path,
                        help="a folder that holds the two files already (obtained elsewhere): nothing is downloaded")
    args = parser.parse_args(argv)
    url = os.environ.get("LOCATIONNET_URL") or DEFAULT_URL
    try:
        if not args.source and in_place(args.out):
            print(f"{args.out} holds LocationNet, checked: nothing to download.")
            return
        staging = args.out.with_name(args.out.name + ".partial")
        staging.mkdir(parents=True, exist_ok=True)
        for name in DOWNLOADS:
            if args.source:
                copy_from(args.source, name, staging)
            else:
                download(url + name, staging / name)
        shutil.copyfile(str(VENDORED_GRIDS), str(staging / locationnet.GRIDS))
        print(checked(staging))
        cells.write_cells(str(staging / locationnet.CELLS), cells.read_grids(str(staging / locationnet.GRIDS)))
        print(f"Named the cells with the offline reverse geocoder: {locationnet.CELLS}.")
        install(staging, args.out)
    except Failed as error:
        sys.exit(f"make locationnet: {error}")
    except KeyboardInterrupt:
        sys.exit("\nmake locationnet: interrupted. What arrived is kept in {}: run `make locationnet` again and it "
                 "goes on from there.".format(args.out.with_name(args.out.name + ".partial")))
    print(f"LocationNet is in {args.out}: try `make ask PHOTO=photos/cape-canaveral-falcon9-dscovr.jpg`.")


def checked(staging):
    """check() on the staging folder; files that fail go, so that the next run fetches them again."""
    try:
        return check(staging)
    except Failed:
        shutil.rmtree(str(staging))
        raise


def in_place(out):
    """Whether `out` holds every file, and they pass the checks (say so when they do not)."""
    if not all((out / name).is_file() for name in KEPT):
        return False
    try:
        check(out)
    except Failed as error:
        print(f"{out} is there but fails a check, so it is fetched again: {error}")
        return False
    return True


# ------------------------------------------------------------------------------------------------------- download


def download(url, target):
    """`url` into `target`, through target.part (resumed with HTTP Range when a run stopped) and target.part.json
    (the ETag and size of what it is a part of). The part becomes `target` once its size and checksum are right."""
    if target.exists():
        return  # downloaded whole by an earlier run whose checks did not run
    part, about = target.with_name(target.name + ".part"), target.with_name(target.name + ".part.json")
    known = json.loads(about.read_text()) if about.exists() and part.exists() and part.stat().st_size else None
    start = part.stat().st_size if known else 0
    headers = {"Range": f"bytes={start}-", "If-Range": known["etag"]} if start else {}
    try:
        with requests.get(url, headers=headers, stream=True, timeout=TIMEOUT) as answer:
            complete = known is not None and answer.status_code == 416 and start == known["size"]
            if not complete:  # else the part already holds every byte
                known = receive(answer, url, part, about, known, start)
    except requests.RequestException as error:
        arrived = part.stat().st_size if part.exists() else 0
        if arrived:
            size = json.loads(about.read_text())["size"]
            raise Failed(f"the download of {target.name} stopped after {arrived / 1e6:.1f} of {size / 1e6:.1f} MB ({reason(error)}). What arrived is kept in {part.parent}: run "
                         "`make locationnet` again and it goes on from there.")
        raise Failed(f"could not reach {url} ({reason(error)}). Check your network connection (or proxy), then run `make "
                     f"locationnet` again. {GET_THEM_ELSEWHERE}")
    verify(part, about, known, target.name)
    part.rename(target)
    about.unlink()


def receive(answer, url, part, about, known, start):
    """Write an answer's body to `part` (after the `start` bytes already there when it is a 206); returns what it is
    a part of: {"etag", "size"}."""
    refuse_errors(answer, url)
    etag = answer.headers.get("ETag", "")
    if known and etag != known["etag"]:
        part.unlink()
        about.unlink()
        raise Failed("{} changed on the server since its download began (its ETag was {}, it is now {}), so the part "
                     "already downloaded was thrown away. Run `make locationnet` again to download the new file "
                     "whole; if its checks fail, the bucket now holds another model: {}".format(
                         url, known["etag"], etag, GET_THEM_ELSEWHERE))
    resumed = answer.status_code == 206
    if not resumed:
        start = 0
        known = {"etag": etag, "size": int(answer.headers.get("Content-Length", -1))}
        about.write_text(json.dumps(known))
    with open(str(part), "ab" if resumed else "wb") as file, tqdm(
        desc=part.name[: -len(".part")], total=known["size"] if known["size"] >= 0 else None, initial=start,
        unit="B", unit_scale=True, unit_divisor=1024, leave=False,
    ) as bar:
        for chunk in answer.iter_content(CHUNK):
            file.write(chunk)
            bar.update(len(chunk))
    return known


def refuse_errors(answer, url):
    if answer.status_code == 403:
        raise Failed(f"the server refused {url} (HTTP 403 Forbidden): the file is no longer public there, or the mirror "
                     f"in LOCATIONNET_URL wants a sign-in. {GET_THEM_ELSEWHERE}")
    if answer.status_code == 404:
        raise Failed(f"{url} is not there (HTTP 404 Not Found): the bucket has moved or renamed it, or LOCATIONNET_URL "
                     "is not the folder that holds RN101-5k500-symbol.json and RN101-5k500-0012.params (it ends in "
                     f"a slash). {GET_THEM_ELSEWHERE}")
    if answer.status_code not in (200, 206):
        raise Failed(f"{url} answered HTTP {answer.status_code} {answer.reason}. Try again later; {GET_THEM_ELSEWHERE}")


def verify(part, about, known, name):
    """The size the server announced, and the MD5 that a single-part S3 object's ETag is; else the part goes."""
    size = part.stat().st_size
    problem = None
    if known["size"] >= 0 and size != known["size"]:
        problem = "{} bytes arrived, the server announced {}".format(size, known["size"])
    elif re.match(r'^"?[0-9a-f]{32}"?$', known["etag"]):  # an ETag with "-N" is a multipart upload's: no MD5
        digest = md5_of(part)
        if digest != known["etag"].strip('"'):
            problem = "its MD5 is {}, the server's ETag says {}".format(digest, known["etag"])
    if problem:
        part.unlink()
        about.unlink()
        raise Failed(f"the download of {name} is corrupt ({problem}), so it was thrown away. Run `make locationnet` again; if it "
                     f"happens again, the file on the server is damaged or was replaced while it downloaded. {GET_THEM_ELSEWHERE}")


def md5_of(path):
    digest = hashlib.md5()
    with open(str(path), "rb") as file:
        for block in iter(lambda: file.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def reason(error):
    """The last line of a requests error, which says what happened (refused, timed out, cut)."""
    return str(error).rstrip(")").split(": ")[-1].strip("'\"") or error.__class__.__name__


def copy_from(source, name, staging):
    if not (source / name).is_file():
        raise Failed(f"{source} has no {name}: --from (FROM=) names the folder that holds RN101-5k500-symbol.json and "
                     "RN101-5k500-0012.params.")
    shutil.copyfile(str(source / name), str(staging / name))


# --------------------------------------------------------------------------------------------------------- checks


def check(folder):
    """The checks before anything is kept; returns what passed, or raises Failed saying what did not."""
    with open(str(folder / locationnet.GRIDS), encoding="utf-8") as file:
        grid_lines = sum(1 for line in file if line.strip())
    scores, shapes = read_symbol(folder)
    parameters = read_parameters(folder, shapes)
    classes = scores.infer_shape(data=(1, 3, locationnet.IMAGE_SIZE, locationnet.IMAGE_SIZE))[1][0][1]
    if classes != grid_lines:
        raise Failed(f"the network in {locationnet.SYMBOL} has {classes:,} classes but grids.txt has {grid_lines:,} lines, one per class: these are "
                     f"not LocationNet's RN101-5k500 files. {GET_THEM_ELSEWHERE}")
    total = probabilities_sum(folder)
    return (f"Checked: the symbol parses; its {parameters} parameter arrays load with their shapes; {classes:,} classes, one per line of "
            f"grids.txt; a forward pass gives probabilities that sum to {total:.6f}.")


def read_symbol(folder):
    """The symbol up to fc1 and the shape of each of its parameters ({"arg:fc1_weight": (15527, 2048), ...})."""
    try:
        internals = mx.sym.load(str(folder / locationnet.SYMBOL)).get_internals()
        if locationnet.SCORES not in internals.list_outputs():
            raise ValueError("it has no layer fc1")
        scores = internals[locationnet.SCORES]
        arguments, _, auxiliaries = scores.infer_shape(data=(1, 3, locationnet.IMAGE_SIZE, locationnet.IMAGE_SIZE))
    except (mx.base.MXNetError, ValueError) as error:
        raise Failed(f"{locationnet.SYMBOL} is not LocationNet's symbol: {last_line(error)}. {GET_THEM_ELSEWHERE}")
    shapes = {"arg:" + name: shape for name, shape in zip(scores.list_arguments(), arguments) if name != "data"}
    shapes.update(("aux:" + name, shape) for name, shape in zip(scores.list_auxiliary_states(), auxiliaries))
    return scores, shapes


def read_parameters(folder, shapes):
    """How many parameters the params file holds for the symbol, each checked against its shape."""
    try:
        saved = mx.nd.load(str(folder / locationnet.PARAMS))
    except mx.base.MXNetError as error:
        raise Failed(f"{locationnet.PARAMS} does not load ({last_line(error)}): it is truncated or not an MXNet parameter file. {GET_THEM_ELSEWHERE}")
    missing = sorted(name for name in shapes if name not in saved)
    wrong = sorted(name for name in shapes if name in saved and saved[name].shape != shapes[name])
    if missing or wrong:
        first = missing[0] if missing else f"{wrong[0]} is {saved[wrong[0]].shape} where the symbol wants {shapes[wrong[0]]}"
        raise Failed(f"{locationnet.PARAMS} does not fit {locationnet.SYMBOL}: {len(missing)} parameters missing, {len(wrong)} of the wrong shape (first: {first}). {GET_THEM_ELSEWHERE}")
    return len(shapes)


def last_line(error):
    """What an MXNet error says, without the C++ traceback before it."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()] or [error.__class__.__name__]
    return lines[-1].replace("MXNetError: ", "")[:200]


def probabilities_sum(folder):
    """The sum of the class probabilities a forward pass gives for a fixed random photo: 1 when the numbers in the
    params file are numbers (a NaN or an overflow in a weight shows here)."""
    network = locationnet.load_network(str(folder))
    photo = mx.nd.array(np.random.RandomState(0).uniform(-120, 130, (1, 3, 224, 224)))
    total = float(mx.nd.softmax(network(photo)).sum().asscalar())
    if not abs(total - 1) < 1e-3:
        raise Failed(f"a forward pass of the network gives probabilities that sum to {total}, not 1: {locationnet.PARAMS} holds numbers that "
                     f"are not a working network. {GET_THEM_ELSEWHERE}")
    return total


def install(staging, out):
    """The checked staging folder takes the place of `out` (whose older files, an int8 copy of them too, go)."""
    for name in os.listdir(str(staging)):
        if name not in KEPT:
            os.remove(str(staging / name))
    old = out.with_name(out.name + ".old")
    if old.exists():
        shutil.rmtree(str(old))
    if out.exists():
        out.rename(old)
    staging.rename(out)
    if old.exists():
        shutil.rmtree(str(old))


if __name__ == "__main__":
    main()

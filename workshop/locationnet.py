"""`make locationnet`: the talk's own model, LocationNet (RN101-5k500), downloaded, checked, and given its places.

    python -m workshop locationnet [--out build/locationnet] [--from DIR]

The symbol and the parameters come from the public mmcommons-tutorial bucket by plain HTTPS GETs (no AWS account
needed; LOCATIONNET_URL names a mirror), through workshop/download.py (resumed, capped, on time, checked). grids.txt
comes from this repository (third_party/WhereML). Everything lands in a staging folder beside --out
(build/locationnet.partial) and is checked there: the symbol parses, every parameter loads with its shape and holds
finite numbers, the network has one class per line of grids.txt, and a forward pass gives probabilities that sum to
1. Then each cell is named once with the offline reverse geocoder that step 01 uses (cells.tsv, step 01's format,
one row per class), and only then does the folder take the place of --out, where serve.py and model_fn load it. A
later run checks the folder the same way and downloads nothing when it passes. One run at a time (a lock beside
--out). The step's own code (03_host/locationnet.py, cells.py) is loaded from solutions/ by path.
"""
import argparse
import os
import shutil
import sys
from pathlib import Path

from workshop import download, loader, model_folder
from workshop.paths import BUILD, ROOT, SOLUTIONS

DEFAULT_URL = "https://s3.amazonaws.com/mmcommons-tutorial/models/"
VENDORED_GRIDS = ROOT / "third_party" / "WhereML" / "grids.txt"
MAX_BYTES = {"RN101-5k500-symbol.json": 16 << 20, "RN101-5k500-0012.params": 1 << 30, "grids.txt": 16 << 20}
AGAIN = "make locationnet"
GET_THEM_ELSEWHERE = (
    "Without that bucket, get RN101-5k500-symbol.json and RN101-5k500-0012.params another way (another machine, a "
    "USB stick, a mirror: LOCATIONNET_URL=https://your-mirror/models/) and run "
    "`make locationnet FROM=folder-with-them`."
)


class Failed(Exception):
    """What went wrong and what to do about it, in one paragraph."""


def step(name):
    """A module of step 03's solution: the files' names (locationnet.py) and the places of the cells (cells.py)."""
    return loader.load(SOLUTIONS / "03_host", name)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m workshop locationnet", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILD / "locationnet", help="where the model's files go")
    parser.add_argument("--from", dest="source", type=Path,
                        help="a folder that holds the two files already (obtained elsewhere): nothing is downloaded")
    args = parser.parse_args(argv)
    url = os.environ.get("LOCATIONNET_URL") or DEFAULT_URL
    staging = args.out.with_name(args.out.name + ".partial")
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with download.locked(args.out.with_name(args.out.name + ".lock"), AGAIN):
            get(url, args.source, args.out, staging)
    except (Failed, download.Failed) as error:
        sys.exit(f"make locationnet: {error}")
    except OSError as error:  # the folders themselves: not writable, full
        sys.exit(f"make locationnet: cannot write {error.filename or args.out} ({error.strerror}): make that folder "
                 "writable (or free some space), then run `make locationnet` again.")
    except KeyboardInterrupt:
        sys.exit(f"\nmake locationnet: interrupted. What arrived is kept in {staging}: run `make locationnet` again "
                 "and it goes on from there.")


def get(url, source, out, staging):
    locationnet, cells = step("locationnet"), step("cells")
    if not source and in_place(out):
        print(f"{out} holds LocationNet, checked: nothing to download.")
        return
    staging_folder(staging)
    for name in (locationnet.SYMBOL, locationnet.PARAMS):
        if source:
            copy_from(source, name, staging)
        else:
            download.fetch(download.join(url, name), staging / name, MAX_BYTES[name], AGAIN, GET_THEM_ELSEWHERE)
    download.copy(VENDORED_GRIDS, staging / locationnet.GRIDS, MAX_BYTES["grids.txt"], AGAIN)
    print(checked(staging))
    named = staging / locationnet.CELLS
    if download.regular_file(named):  # never written through a link
        named.unlink()
    cells.write_cells(str(named), cells.read_grids(str(staging / locationnet.GRIDS)))
    print(f"Named the cells with the offline reverse geocoder: {locationnet.CELLS}.")
    install(staging, out)
    print(f"LocationNet is in {out}: try `make ask PHOTO=photos/cape-canaveral-falcon9-dscovr.jpg`.")


def staging_folder(staging):
    """The staging folder: one this command made (a folder, not a link to one), or a new one."""
    if staging.is_symlink() or (staging.exists() and not staging.is_dir()):
        raise Failed(f"{staging} is {'a link' if staging.is_symlink() else 'a file'}, where `make locationnet` keeps "
                     f"its staging folder: remove it (`rm {staging}`), then run `make locationnet` again.")
    staging.mkdir(exist_ok=True)


def checked(staging):
    """check() on the staging folder; files that fail go, so that the next run fetches them again."""
    try:
        return check(staging)
    except Failed:
        shutil.rmtree(staging)
        raise


def in_place(out):
    """Whether `out` holds every file, and they pass the checks (say so when they do not)."""
    locationnet = step("locationnet")
    kept = (locationnet.SYMBOL, locationnet.PARAMS, locationnet.GRIDS, locationnet.CELLS)
    if not all((out / name).is_file() for name in kept):
        if out.exists():
            print(f"{out} is there but incomplete, so it is fetched again.")
        return False
    try:
        check(out)
    except Failed as error:
        print(f"{out} is there but fails a check, so it is fetched again: {error}")
        return False
    return True


def copy_from(source, name, staging):
    if not (source / name).is_file():
        raise Failed(f"{source} has no {name}: --from (FROM=) names the folder that holds RN101-5k500-symbol.json and "
                     "RN101-5k500-0012.params.")
    download.copy(source / name, staging / name, MAX_BYTES[name], AGAIN)


# --------------------------------------------------------------------------------------------------------- checks


def check(folder):
    """The checks before anything is kept, and on every later run; returns what passed, or raises Failed."""
    locationnet = step("locationnet")
    try:
        classes = model_folder.class_count(folder)
        model_folder.check_tables(folder, classes)
    except model_folder.Unfit as unfit:
        raise Failed(f"{unfit} {GET_THEM_ELSEWHERE}") from None
    shapes = parameter_shapes(folder)
    parameters = read_parameters(folder, shapes)
    total = probabilities_sum(folder)
    rows = ", and cells.tsv one row per class" if (folder / locationnet.CELLS).is_file() else ""
    return (f"Checked: the symbol parses; its {parameters} parameter arrays load with their shapes and hold finite "
            f"numbers; {classes:,} classes, one per line of grids.txt{rows}; a forward pass gives probabilities that "
            f"sum to {total:.6f}.")


def parameter_shapes(folder):
    """The shape of each parameter of the network up to fc1 ({"arg:fc1_weight": (15527, 2048), ...})."""
    import mxnet as mx

    locationnet = step("locationnet")
    size = locationnet.IMAGE_SIZE
    scores = mx.sym.load(str(folder / locationnet.SYMBOL)).get_internals()[locationnet.SCORES]
    arguments, _, auxiliaries = scores.infer_shape(data=(1, 3, size, size))
    shapes = {"arg:" + name: shape for name, shape in zip(scores.list_arguments(), arguments) if name != "data"}
    shapes.update(("aux:" + name, shape) for name, shape in zip(scores.list_auxiliary_states(), auxiliaries))
    return shapes


def read_parameters(folder, shapes):
    """How many parameters the params file holds for the symbol, each checked against its shape, each finite."""
    import mxnet as mx

    params = step("locationnet").PARAMS
    try:
        saved = mx.nd.load(str(folder / params))
    except mx.base.MXNetError as error:
        raise Failed(f"{params} does not load ({last_line(error)}): it is truncated or not an MXNet parameter file. "
                     f"{GET_THEM_ELSEWHERE}") from None
    missing = sorted(name for name in shapes if name not in saved)
    wrong = sorted(name for name in shapes if name in saved and saved[name].shape != shapes[name])
    if missing or wrong:
        first = missing[0] if missing else f"{wrong[0]} is {saved[wrong[0]].shape} where the symbol wants " \
                                           f"{shapes[wrong[0]]}"
        raise Failed(f"{params} does not fit {step('locationnet').SYMBOL}: {len(missing)} parameters missing, "
                     f"{len(wrong)} of the wrong shape (first: {first}). {GET_THEM_ELSEWHERE}")
    try:
        model_folder.check_finite({name: saved[name] for name in shapes}, params)
    except model_folder.Unfit as unfit:
        raise Failed(f"{unfit} {GET_THEM_ELSEWHERE}") from None
    return len(shapes)


def last_line(error):
    """What an MXNet error says, without the C++ traceback before it."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()] or [error.__class__.__name__]
    return lines[-1].replace("MXNetError: ", "")[:200]


def probabilities_sum(folder):
    """The sum of the class probabilities a forward pass gives for a fixed random photo: 1 for a working network."""
    import mxnet as mx
    import numpy as np

    network = step("locationnet").load_network(str(folder))
    photo = mx.nd.array(np.random.RandomState(0).uniform(-120, 130, (1, 3, 224, 224)))
    total = float(mx.nd.softmax(network(photo)).sum().asscalar())
    if not abs(total - 1) < 1e-3:
        raise Failed(f"a forward pass of the network gives probabilities that sum to {total}, not 1: "
                     f"{step('locationnet').PARAMS} holds numbers that are not a working network. {GET_THEM_ELSEWHERE}")
    return total


def install(staging, out):
    """The checked staging folder takes the place of `out` (whose older files, an int8 copy of them too, go)."""
    locationnet = step("locationnet")
    kept = (locationnet.SYMBOL, locationnet.PARAMS, locationnet.GRIDS, locationnet.CELLS)
    for path in staging.iterdir():
        if path.name not in kept:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    old = out.with_name(out.name + ".old")
    for path in (old, out):
        if path.is_symlink() or path.is_file():
            path.unlink()
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    if old.exists():
        shutil.rmtree(old)


if __name__ == "__main__":
    main()

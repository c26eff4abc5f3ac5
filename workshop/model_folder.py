"""Is a model folder what it claims? One row per class in its tables, and numbers that are numbers.

`make locationnet` runs these checks on the files it installs and again on every later run; `make ask` runs the
table check before it loads a model. A LocationNet folder (RN101-5k500-symbol.json, grids.txt, cells.tsv) and a
step-02 model folder (model-symbol.json, model-config.json, cells.tsv) are both understood.
"""
import csv
import json
from pathlib import Path

LOCATIONNET_SYMBOL, LOCATIONNET_SCORES, LOCATIONNET_SIZE = "RN101-5k500-symbol.json", "fc1_output", 224
STEP02_SYMBOL, STEP02_CONFIG = "model-symbol.json", "model-config.json"


class Unfit(Exception):
    """What in the folder is wrong, in one sentence."""


def class_count(folder):
    """How many classes the network in `folder` scores (LocationNet's fc1, or a step-02 model's output)."""
    import mxnet as mx

    folder = Path(folder)
    if (folder / LOCATIONNET_SYMBOL).is_file():
        symbol_file, size = folder / LOCATIONNET_SYMBOL, LOCATIONNET_SIZE
    else:
        symbol_file, size = folder / STEP02_SYMBOL, _config(folder).get("image_size", 224)
    try:
        symbol = mx.sym.load(str(symbol_file))
        if symbol_file.name == LOCATIONNET_SYMBOL:
            symbol = symbol.get_internals()[LOCATIONNET_SCORES]
        return symbol.infer_shape(data=(1, 3, size, size))[1][0][1]
    except (mx.base.MXNetError, ValueError, IndexError, TypeError) as error:
        whose = "LocationNet's" if symbol_file.name == LOCATIONNET_SYMBOL else "a network's"
        raise Unfit(f"{symbol_file.name} is not {whose} symbol ({str(error).strip().splitlines()[-1][:200]}).") from None


def check_tables(folder, classes):
    """Every table of the folder (cells.tsv, grids.txt) has one row per class, in class order; else Unfit."""
    folder = Path(folder)
    for name, rows, unit in (("grids.txt", grids_rows, "lines"), ("cells.tsv", cells_rows, "rows in class order")):
        if (folder / name).is_file():
            count = rows(folder / name)
            if count != classes:
                raise Unfit(f"{folder / name} has {count:,} {unit} where the network has {classes:,} classes, one "
                            "per class: it was cut short, or the files are of different models.")


def cells_rows(path):
    """The rows of a cells.tsv whose `class` column counts 0, 1, 2, ... (the first row out of order ends the count)."""
    count = 0
    try:
        with open(path, encoding="utf-8", newline="") as file:
            for row in csv.DictReader(file, delimiter="\t"):
                if row.get("class") != str(count):
                    break
                count += 1
    except (OSError, UnicodeDecodeError, csv.Error):
        pass
    return count


def grids_rows(path):
    try:
        with open(path, encoding="utf-8") as file:
            return sum(1 for line in file if line.strip())
    except (OSError, UnicodeDecodeError):
        return 0


def check_finite(arrays, params_name):
    """Every array ({name: NDArray}) holds finite numbers only (a NaN or an infinity anywhere breaks answers)."""
    import numpy as np

    for name, array in arrays.items():
        if not np.isfinite(array.asnumpy()).all():
            raise Unfit(f"{params_name} holds numbers that are not finite (NaN or infinity) in {name}: these are "
                        "not a working network's parameters.")


def _config(folder):
    try:
        return json.loads((Path(folder) / STEP02_CONFIG).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}

"""The cells a model's classes stand for: class i -> {token, lat, lng, place, admin1, country_code}."""
import csv
import os
import re

# Step 01's cells.tsv columns (MAINTAINING.md, "Dataset folder").
COLUMNS = ["class", "token", "level", "count", "lat", "lng", "place", "admin1", "country_code"]


def read_cells(path):
    """cells.tsv (made by step 01, copied into the model folder by step 02), in class order."""
    with open(path, encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    return [
        {
            "token": row["token"],
            "lat": float(row["lat"]),
            "lng": float(row["lng"]),
            "place": row["place"],
            "admin1": row["admin1"],
            "country_code": row["country_code"],
        }
        for row in sorted(rows, key=lambda row: int(row["class"]))
    ]


def read_model_cells(model_dir):
    """The cells of a model folder: its cells.tsv (step 02's, or LocationNet's made by `make locationnet`), else
    LocationNet's grids.txt, named now."""
    places = os.path.join(model_dir, "cells.tsv")
    return read_cells(places) if os.path.exists(places) else read_grids(os.path.join(model_dir, "grids.txt"))


def read_grids(path):
    """LocationNet's grids.txt (S2 token, lat, lng; line i = class i), named with the offline reverse geocoder that
    names step 01's cells, the same way."""
    import reverse_geocode  # only LocationNet needs it: code/requirements.txt installs it in the container

    with open(path, encoding="utf-8") as file:
        lines = [line.split() for line in file if line.strip()]
    points = [(float(lat), float(lng)) for _, lat, lng in lines]
    places = reverse_geocode.search(points)
    return [
        {
            "token": token,
            "lat": lat,
            "lng": lng,
            "place": _clean(place.get("city")),
            "admin1": _clean(place.get("state")),
            "country_code": place.get("country_code", "") if re.match(r"^[A-Z]{2}$", place.get("country_code") or "")
            else "",
        }
        for (token, _, _), (lat, lng), place in zip(lines, points, places)
    ]


def write_cells(path, cells):
    """`cells` (in class order) as step 01's cells.tsv. `count` stays empty: grids.txt does not say how many photos
    each cell had."""
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for number, cell in enumerate(cells):
            row = dict(cell, lat="{:.6f}".format(cell["lat"]), lng="{:.6f}".format(cell["lng"]))
            writer.writerow(dict(row, **{"class": number, "level": level(cell["token"]), "count": ""}))


def level(token):
    """The S2 level of a cell token: a token is the cell id in hex without its trailing zeros, and the id's lowest
    set bit sits at 2 * (30 - level)."""
    cell_id = int(token.ljust(16, "0"), 16)
    return 30 - ((cell_id & -cell_id).bit_length() - 1) // 2


def _clean(text):
    """A place name fit for one TSV field: no tabs, newlines or double quotes (as step 01 writes them)."""
    return re.sub(r"\s+", " ", text or "").replace('"', "'").strip()

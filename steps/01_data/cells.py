"""cells.tsv, the contract with steps 02-04: one line a class, its S2 cell, its photos' mean position and place."""
import csv
import math
import re

import numpy as np
import reverse_geocode

COLUMNS = ["class", "token", "level", "count", "lat", "lng", "place", "admin1", "country_code"]


def mean_position(points):
    """The mean of (lat, lng) points taken on the sphere, so a cell across the 180° meridian is not averaged to 0°."""
    lat, lng = np.radians(np.asarray(points, dtype=np.float64).reshape(-1, 2)).T
    x, y, z = (np.cos(lat) * np.cos(lng)).sum(), (np.cos(lat) * np.sin(lng)).sum(), np.sin(lat).sum()
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def _clean(text):
    """A place name fit for one TSV field: no tabs, newlines or double quotes."""
    return re.sub(r"\s+", " ", text or "").replace('"', "'").strip()


def describe(kept, points):
    """One row (a dict of COLUMNS) per kept (cell, photo indices) pair, in class order; `points` may be an array."""
    points = np.asarray(points, dtype=np.float64)
    means = [mean_position(points[members]) for _, members in kept]
    places = reverse_geocode.search(means)
    rows = []
    for number, ((cell, members), (lat, lng), place) in enumerate(zip(kept, means, places)):
        code = place.get("country_code", "")
        rows.append(
            {
                "class": number,
                "token": cell.to_token(),
                "level": cell.level(),
                "count": len(members),
                "lat": f"{lat:.6f}",
                "lng": f"{lng:.6f}",
                "place": _clean(place.get("city")),
                "admin1": _clean(place.get("state")),
                "country_code": code if re.fullmatch("[A-Z]{2}", code or "") else "",
            }
        )
    return rows


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


"""The cells a model's classes stand for: class i -> {token, lat, lng, place, admin1, country_code}."""
import csv


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


def read_grids(path):
    """LocationNet's grids.txt (S2 token, lat, lng; line i = class i), named with an offline reverse geocoder."""
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
            "place": place.get("city", ""),
            "admin1": place.get("state", ""),
            "country_code": place.get("country_code", ""),
        }
        for (token, _, _), (lat, lng), place in zip(lines, points, places)
    ]

"""cells.png: a world map with every kept S2 cell outlined and shaded by how many photos it holds."""
import math
from pathlib import Path

import s2sphere
from PIL import Image, ImageDraw, ImageFont

LAND = Path(__file__).with_name("land.png")  # 1/3° land mask made from global-land-mask (see README.md)
OCEAN_COLOUR, LAND_COLOUR = (22, 36, 58), (74, 88, 100)
EDGE_STEPS = 16  # points per cell edge: edges are arcs on the sphere, curved on the map


def boundary(token):
    """The cell's edges as (lng, lat) points, EDGE_STEPS to a side."""
    cell = s2sphere.Cell(s2sphere.CellId.from_token(token))
    corners = [cell.get_vertex(k) for k in range(4)]
    points = []
    for start, end in zip(corners, corners[1:] + corners[:1]):
        for step in range(EDGE_STEPS):
            position = s2sphere.LatLng.from_point(start * (1 - step / EDGE_STEPS) + end * (step / EDGE_STEPS))
            points.append((position.lng().degrees, position.lat().degrees))
    return points


def skirt_poles(points):
    """A pole has no longitude: where a corner sits on one, run along the map's top (or bottom) edge instead."""
    around = zip(points[-1:] + points[:-1], points, points[1:] + points[:1])
    return [
        point
        for before, (lng, lat), after in around
        for point in ([(lng, lat)] if abs(lat) < 89.9999 else [(before[0], lat), (after[0], lat)])
    ]


def outline(token):
    """The cell's outline on the map: (lng, lat) points, continuous across the 180° meridian (lng may pass ±180)."""
    points = skirt_poles(boundary(token))
    unwrapped = [points[0]]
    for lng, lat in points[1:]:
        previous = unwrapped[-1][0]
        unwrapped.append((lng + 360 * round((previous - lng) / 360), lat))
    if abs(unwrapped[-1][0] - unwrapped[0][0]) > 180:  # the cell holds a pole: close the outline along it
        pole = 90 if sum(lat for _, lat in points) > 0 else -90
        unwrapped += [(unwrapped[-1][0], pole), (unwrapped[0][0], pole)]
    return unwrapped


def shade(count, fewest, most):
    """Yellow for the emptiest kept cell to red for the fullest (on a log scale), half transparent."""
    fraction = math.log(count / fewest) / math.log(most / fewest) if most > fewest else 1.0
    return 255, int(40 + 190 * (1 - fraction)), 40, 150


def draw(path, rows):
    """Write the map of the cells.tsv `rows` (dicts with token and count) to `path` as a PNG."""
    land = Image.open(LAND).convert("L")
    width, height = land.size
    world = Image.composite(Image.new("RGB", land.size, LAND_COLOUR), Image.new("RGB", land.size, OCEAN_COLOUR), land)
    overlay = Image.new("RGBA", land.size)
    pen = ImageDraw.Draw(overlay)
    counts = [int(row["count"]) for row in rows]
    for row, count in zip(rows, counts):
        fill = shade(count, min(counts), max(counts))
        points = [((lng + 180) / 360 * width, (90 - lat) / 180 * height) for lng, lat in outline(row["token"])]
        for shift in (-width, 0, width):  # a cell across the 180° meridian shows on both edges
            shifted = [(x + shift, y) for x, y in points]
            pen.polygon(shifted, fill=fill, outline=(255, 255, 255, 220))
    picture = Image.alpha_composite(world.convert("RGBA"), overlay).convert("RGB")
    caption = f"{len(rows)} cells, {sum(counts)} photos (yellow: {min(counts)}, red: {max(counts)} photos a cell)"
    ImageDraw.Draw(picture).text((8, height - 22), caption, fill=(255, 255, 255), font=ImageFont.load_default(14))
    picture.save(path, "PNG")

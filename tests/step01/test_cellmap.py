"""cells.png: the kept cells drawn on the world, where they are."""
import pytest
import s2sphere
from PIL import Image


@pytest.fixture(scope="module")
def cellmap(load):
    return load("01_data", "cellmap")


def token(lat, lng, level):
    return s2sphere.CellId.from_lat_lng(s2sphere.LatLng.from_degrees(lat, lng)).parent(level).to_token()


def pixel(image, lat, lng):
    width, height = image.size
    return image.getpixel((min(width - 1, int((lng + 180) / 360 * width)), int((90 - lat) / 180 * height)))


def test_cells_are_shaded_where_they_are(cellmap, tmp_path):
    rows = [
        {"token": token(48.85, 2.35, 5), "count": "80"},  # Paris
        {"token": token(-17.8, 179.9, 4), "count": "10"},  # Fiji, across the 180° meridian
        {"token": token(89.0, 10.0, 1), "count": "20"},  # a quarter of the Arctic, from 0° to 90° east
    ]
    cellmap.draw(tmp_path / "cells.png", rows)
    image = Image.open(tmp_path / "cells.png").convert("RGB")
    assert image.size == (1080, 540)
    assert pixel(image, -30.0, -140.0) == cellmap.OCEAN_COLOUR, "the South Pacific has no cell: plain ocean"
    paris, fiji_east, fiji_west = pixel(image, 48.85, 2.35), pixel(image, -17.8, 179.9), pixel(image, -17.8, -179.9)
    assert paris[0] > 150 and paris[0] > paris[2] + 60, f"Paris's cell should be shaded red-yellow, not {paris}"
    assert fiji_east[0] > 150 and fiji_west[0] > 150, "a cell across the 180° meridian shows on both edges"
    assert fiji_east[1] > paris[1], "the emptier cell is yellower than the fuller one"
    assert pixel(image, 89.5, 45.0)[0] > 150, "a cell with a corner on the pole reaches the top of the map"
    assert pixel(image, 89.5, -135.0)[0] < 150, "a quarter of the Arctic is not all of it"

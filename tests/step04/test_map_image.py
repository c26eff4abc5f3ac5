"""chalicelib/map_image.py and make_basemap.py: a valid picture under X's size cap, markers where the guesses are."""
import io

import numpy as np
import pytest
from PIL import Image

from bot_stand_ins import PREDICTIONS


@pytest.fixture(scope="module")
def map_image(chalicelib):
    return chalicelib("map_image")


def test_the_map_is_a_png_under_the_size_cap(map_image):
    png = map_image.draw_map(PREDICTIONS)
    assert len(png) <= map_image.MAX_IMAGE_BYTES == 5 * 1024 * 1024
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert image.format == "PNG" and image.size == (1440, 720)


def marker_colour(map_image, image, guess):
    x, y = map_image.to_pixel(guess["lat"], guess["lng"], *image.size)
    return image.getpixel((round(x), round(y) - map_image.RADIUS + 6))  # inside the disc, above the number


def rgb(colour):
    return Image.new("RGB", (1, 1), colour).getpixel((0, 0))


def test_markers_sit_on_the_guesses(map_image):
    far_apart = [dict(PREDICTIONS[0], lat=lat, lng=lng) for lat, lng in ((48.9, 2.3), (35.7, 139.7), (-33.9, 151.2))]
    image = Image.open(io.BytesIO(map_image.draw_map(far_apart))).convert("RGB")
    for rank, guess in enumerate(far_apart, start=1):
        assert marker_colour(map_image, image, guess) == rgb(map_image.COLOURS[rank - 1]), f"where is marker {rank}?"


def test_the_best_guess_is_drawn_on_top(map_image):
    same_place = [PREDICTIONS[1], dict(PREDICTIONS[1], lat=PREDICTIONS[1]["lat"] + 0.01), PREDICTIONS[2]]
    image = Image.open(io.BytesIO(map_image.draw_map(same_place))).convert("RGB")
    assert visible(image, map_image.COLOURS[0])[0] > 0.7 * np.pi * (map_image.RADIUS - 3) ** 2
    assert visible(image, map_image.COLOURS[1])[0] < 100, "pin 2 under pin 1"


def test_the_basemap_shows_land_and_sea_where_they_are(map_image):
    basemap = Image.open(map_image.BASEMAP).convert("RGB")
    sahara = basemap.getpixel(tuple(round(v) for v in map_image.to_pixel(23, 13, *basemap.size)))
    pacific = basemap.getpixel(tuple(round(v) for v in map_image.to_pixel(-20, -140, *basemap.size)))
    assert sahara != pacific
    assert sahara[0] > pacific[0], "land is the light sand colour, the sea blue"


def test_make_basemap_turns_an_ocean_mask_into_land_share(load):
    make_basemap = load("04_bot", "make_basemap")
    def north_west_is_land(lats, lngs):  # as global_land_mask's globe.is_ocean answers: True at sea
        return ~((lats > 0) & (lngs < 0))

    share = make_basemap.land_share(north_west_is_land, 4)
    assert share.shape == (2, 4) and share[0, 0] == 1 and share[0, 2] == 0 and share[1, 0] == 0
    image = make_basemap.draw(make_basemap.land_share(lambda lats, lngs: np.ones(lats.shape, dtype=bool), 360))
    assert image.size == (360, 180)


def visible(image, colour):
    """Where `colour` shows in `image`: its pixel count and centre."""
    mask = np.all(np.asarray(image) == rgb(colour), axis=-1)
    ys, xs = np.nonzero(mask)
    return mask.sum(), (xs.mean() if len(xs) else None, ys.mean() if len(ys) else None)


def test_guesses_near_each_other_are_zoomed_in_on_so_every_pin_shows(map_image):
    """Marseille, Barcelona and Genoa are 16 pixels apart on the world map: pin 2 hid under pin 1."""
    image = Image.open(io.BytesIO(map_image.draw_map(PREDICTIONS))).convert("RGB")
    assert image.size == (1440, 720)
    disc = np.pi * (map_image.RADIUS - 3) ** 2
    seen = [visible(image, colour) for colour in map_image.COLOURS]
    for rank, (pixels, _) in enumerate(seen, start=1):
        assert pixels > 0.7 * disc, f"pin {rank} shows {pixels} of its ~{disc:.0f} pixels: is it under another?"
    (_, marseille), (_, barcelona), (_, genoa) = seen
    assert barcelona[0] < marseille[0] < genoa[0] and barcelona[1] > marseille[1] > genoa[1], (
        "the zoomed map keeps west on the left and north up")
    assert genoa[0] - barcelona[0] > 200, "zoomed in, Barcelona and Genoa are far apart on the picture"


def test_the_photos_true_position_is_drawn_as_a_ring(map_image):
    far_apart = [dict(PREDICTIONS[0], lat=lat, lng=lng) for lat, lng in ((48.9, 2.3), (35.7, 139.7), (-33.9, 151.2))]
    cape_canaveral = (28.5, -80.6)
    image = Image.open(io.BytesIO(map_image.draw_map(far_apart, truth=cape_canaveral))).convert("RGB")
    x, y = map_image.to_pixel(*cape_canaveral, *image.size)  # guesses on three continents: the whole world
    ring = [image.getpixel((round(x + dx), round(y + dy))) for dx, dy in ((map_image.TRUTH_RADIUS - 2, 0),
                                                                          (0, map_image.TRUTH_RADIUS - 2))]
    assert ring == [rgb(map_image.TRUTH_COLOUR)] * 2, "a ring where the GPS EXIF says the photo was taken"
    for rank, guess in enumerate(far_apart, start=1):
        assert marker_colour(map_image, image, guess) == rgb(map_image.COLOURS[rank - 1])


def test_the_ring_shows_around_a_best_guess_right_on_the_truth(map_image):
    best = PREDICTIONS[0]
    image = Image.open(io.BytesIO(map_image.draw_map(PREDICTIONS, truth=(best["lat"], best["lng"])))).convert("RGB")
    pixels, _ = visible(image, map_image.TRUTH_COLOUR)
    assert pixels > 300, "the ring is wider than the pin on it"
    assert visible(image, map_image.COLOURS[0])[0] > 0.7 * np.pi * (map_image.RADIUS - 3) ** 2


def test_a_truth_far_from_the_guesses_widens_the_map_to_hold_it(map_image):
    """Guesses in Europe, the photo in Australia: both must be on the picture."""
    image = Image.open(io.BytesIO(map_image.draw_map(PREDICTIONS, truth=(-31.95, 115.86)))).convert("RGB")
    assert visible(image, map_image.TRUTH_COLOUR)[0] > 300
    for colour in map_image.COLOURS:
        assert visible(image, colour)[0] > 100


def test_make_basemap_asks_the_land_mask_through_its_public_api(load):
    """globe.is_ocean, not the module's private _mask: the Sahara is land, the middle of the Pacific sea."""
    from global_land_mask import globe

    share = load("04_bot", "make_basemap").land_share(globe.is_ocean, 36)
    assert share[(90 - 23) // 10, (13 + 180) // 10] > 0.9 and share[(90 + 20) // 10, (-140 + 180) // 10] == 0

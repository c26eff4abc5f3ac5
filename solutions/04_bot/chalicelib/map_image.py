"""The reply's picture: the world basemap (made by make_basemap.py) with the top guesses numbered 1-3, a ring where
the photo was taken when that is known, and a zoom on the region they share so that no pin hides another."""
import functools
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BASEMAP = Path(__file__).with_name("basemap.png")
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # X's limit for a picture; a 1440 x 720 RGB PNG stays under 3.2 MB even raw
SIZE = (1440, 720)  # the picture: 2:1, as the world is in degrees
COLOURS = ("#c0392b", "#d35400", "#7d3c98")  # 1, 2, 3
TRUTH_COLOUR = "#117a65"
RADIUS = 18
TRUTH_RADIUS = RADIUS + 10  # a ring wider than a pin: it shows even with the best guess right on it
# A zoomed map is at least this many degrees of longitude wide: pins 0.6 degrees apart still stand apart, and the
# coasts still say where it is. Points farther apart than half the world get the whole world.
MIN_SPAN = 24
MAX_ZOOM_SPAN = 180
LOCATOR_WIDTH = 216  # the small world map in a zoomed map's corner


@dataclass(frozen=True)
class Region:
    """A box of the equirectangular world: its west and north edges and its width in degrees (it is half as high)."""

    west: float
    north: float
    span: float

    def to_pixel(self, lat, lng, width, height):
        return (lng - self.west) / self.span * width, (self.north - lat) / (self.span / 2) * height


WORLD = Region(west=-180, north=90, span=360)


def to_pixel(lat, lng, width, height):
    """Equirectangular: longitude -180..180 runs left to right, latitude 90..-90 top to bottom."""
    return WORLD.to_pixel(lat, lng, width, height)


def region_around(points):
    """The region that holds every (lat, lng) point with a margin, at least MIN_SPAN wide; the world when they are
    spread over more than half of it (or across the date line)."""
    lats, lngs = [lat for lat, _ in points], [lng for _, lng in points]
    span = max(MIN_SPAN, 1.5 * (max(lngs) - min(lngs)), 3 * (max(lats) - min(lats)))
    if span > MAX_ZOOM_SPAN:
        return WORLD
    west = min(max((max(lngs) + min(lngs) - span) / 2, -180), 180 - span)
    north = max(min((max(lats) + min(lats) + span / 2) / 2, 90), -90 + span / 2)
    return Region(west, north, span)


@functools.lru_cache(maxsize=1)
def _basemap():
    """The basemap in RGB, read once per Lambda container."""
    with Image.open(BASEMAP) as basemap:
        return basemap.convert("RGB")


def basemap_of(region):
    """The basemap's part inside `region`, resized to SIZE (a copy: the caller draws on it)."""
    if region == WORLD:
        return _world().copy()
    return _resized(region)


@functools.lru_cache(maxsize=1)
def _world():
    """The whole world at SIZE, made once per Lambda container (a resize of the whole basemap takes 0.2 s)."""
    return _resized(WORLD)


def _resized(region):
    basemap = _basemap()
    left, top = to_pixel(region.north, region.west, *basemap.size)
    right, bottom = to_pixel(region.north - region.span / 2, region.west + region.span, *basemap.size)
    return basemap.resize(SIZE, Image.Resampling.BICUBIC, box=(left, top, right, bottom), reducing_gap=2.0)


def draw_pin(pen, at, rank, font):
    x, y = at
    pen.ellipse((x - RADIUS, y - RADIUS, x + RADIUS, y + RADIUS), fill=COLOURS[rank - 1], outline="white", width=3)
    pen.text((x, y), str(rank), fill="white", font=font, anchor="mm")


def draw_truth(pen, at):
    x, y, r = *at, TRUTH_RADIUS
    pen.ellipse((x - r - 2, y - r - 2, x + r + 2, y + r + 2), outline="white", width=9)
    pen.ellipse((x - r, y - r, x + r, y + r), outline=TRUTH_COLOUR, width=5)


def draw_locator(image, region):
    """A small world map in the lower left corner, the zoomed region boxed on it."""
    width = LOCATOR_WIDTH
    world = basemap_of(WORLD).resize((width, width // 2), Image.Resampling.BOX)
    pen = ImageDraw.Draw(world)
    left, top = to_pixel(region.north, region.west, *world.size)
    pen.rectangle((left, top, left + region.span / 360 * width, top + region.span / 360 * width), outline="black",
                  width=2)
    pen.rectangle((0, 0, world.width - 1, world.height - 1), outline="white", width=2)
    image.paste(world, (10, image.height - world.height - 10))


def draw_map(predictions, truth=None):
    """A PNG of the top three guesses numbered on the map, the best on top, and a ring at `truth`, the (lat, lng)
    where the photo was taken, when it is known: zoomed on the region they share when they fit in one."""
    top = predictions[:3]
    points = [(guess["lat"], guess["lng"]) for guess in top] + ([tuple(truth)] if truth else [])
    region = region_around(points)
    image = basemap_of(region)
    if region != WORLD:
        draw_locator(image, region)
    pen = ImageDraw.Draw(image)
    if truth:
        draw_truth(pen, region.to_pixel(*truth, *image.size))
    font = ImageFont.load_default(size=RADIUS * 1.3)
    for rank, guess in reversed(list(enumerate(top, start=1))):  # the best guess is drawn last, on top
        draw_pin(pen, region.to_pixel(guess["lat"], guess["lng"], *image.size), rank, font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()

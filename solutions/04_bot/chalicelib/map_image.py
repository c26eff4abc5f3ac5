"""The reply's picture: the world basemap (made by make_basemap.py) with the top guesses numbered 1-3."""
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BASEMAP = Path(__file__).with_name("basemap.png")
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # X's limit for a picture; a 1440 x 720 RGB PNG stays under 3.2 MB even raw
COLOURS = ("#c0392b", "#d35400", "#7d3c98")  # 1, 2, 3
RADIUS = 18


def to_pixel(lat, lng, width, height):
    """Equirectangular: longitude -180..180 runs left to right, latitude 90..-90 top to bottom."""
    return (lng + 180) / 360 * width, (90 - lat) / 180 * height


def draw_map(predictions):
    """A PNG of the basemap with a numbered marker at each of the top three guesses."""
    with Image.open(BASEMAP) as basemap:
        image = basemap.convert("RGB")
    pen = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=RADIUS * 1.3)
    top = list(enumerate(predictions[:3], start=1))
    for rank, guess in reversed(top):  # the best guess is drawn last, on top
        x, y = to_pixel(guess["lat"], guess["lng"], image.width, image.height)
        pen.ellipse((x - RADIUS, y - RADIUS, x + RADIUS, y + RADIUS), fill=COLOURS[rank - 1], outline="white", width=3)
        pen.text((x, y), str(rank), fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()

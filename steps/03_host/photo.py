"""Photos from request bodies: refuse what is not a photo before decoding a pixel, decode big JPEGs at a reduced scale.

A PNG can declare 100,000 x 100,000 pixels in a 100-byte header; reading the header first and checking the declared
size keeps such a "bomb" from ever being decoded.
"""
import io
import warnings

from PIL import Image, ImageOps

from refusal import Refused

MAX_BYTES = 6 * 1024 * 1024  # SageMaker's own limit for a real-time request
MAX_PIXELS = 40 * 1000 * 1000  # a 48-megapixel phone photo is decoded at a reduced scale, well under this
FORMATS = ("JPEG", "PNG")


def open_photo(body):
    """Bytes -> a PIL image whose header was read and checked, its pixels not yet decoded."""
    if not body:
        raise Refused(400, "The request body is empty: send the photo's bytes.")
    if len(body) > MAX_BYTES:
        raise Refused(413, "The photo is over {} MB: send a smaller one.".format(MAX_BYTES // (1024 * 1024)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(body))
    except Image.DecompressionBombError:
        raise Refused(413, "The image declares too many pixels to decode: send a photo under 40 megapixels.")
    except (OSError, SyntaxError, ValueError):
        raise Refused(400, "The body is not a JPEG or PNG photo: send the photo file's bytes.")
    if image.format not in FORMATS:
        raise Refused(400, "The body is a {} image: send a JPEG or PNG photo.".format(image.format))
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise Refused(413, "The image declares {} x {} pixels: send a photo under 40 megapixels.".format(width, height))
    return image


def decode(image, short_side):
    """Decode an opened photo to RGB, JPEGs at the smallest 1/2, 1/4 or 1/8 scale that keeps `short_side` pixels."""
    image.draft("RGB", (short_side, short_side))
    try:
        image.load()
        return ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, SyntaxError, ValueError):
        raise Refused(400, "The photo is truncated or damaged: send the whole file again.")

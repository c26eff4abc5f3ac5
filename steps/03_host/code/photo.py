"""Photos from request bodies: refuse what is not a photo before decoding a pixel, decode big JPEGs at a reduced scale.

A PNG can declare 100,000 x 100,000 pixels in a 100-byte header, and a 600-byte progressive JPEG 13,300 x 13,300
(libjpeg keeps a progressive photo's coefficients at full size, whatever the scale it is decoded at: half a GB or
more for that one). So the size the header declares is checked before anything is decoded: over 50 megapixels is
refused, and so is a JPEG too small to hold the pixels it declares (a damaged one). A JPEG under the limit decodes at
a reduced scale (a 48-megapixel phone photo at 1/8), and a photo far longer than it is wide is cut to its centre
before it is resized, so a 1 x 100,000 PNG costs what a small photo costs.
"""
import io
import warnings

from PIL import Image, ImageOps
from refusal import Refused

MAX_BYTES = 6 * 1024 * 1024  # SageMaker's own limit for a real-time request
MAX_PIXELS = 50 * 1000 * 1000  # what a photo's header may declare: a 48-megapixel phone photo passes
MAX_ASPECT = 3  # longer sides are cut to the centre: the network sees only the centre square anyway
FORMATS = ("JPEG", "MPO", "PNG")  # MPO: the multi-picture JPEG many phones write; its first frame is the photo
ORIENTATION = 0x0112  # the EXIF tag that says how the camera was held
TOO_MANY_PIXELS = "The image declares {} x {} pixels: send a photo of at most 50 megapixels."


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
        raise Refused(413, "The image declares too many pixels to decode: send a photo of at most 50 megapixels.")
    except (OSError, SyntaxError, ValueError):
        raise Refused(400, "The body is not a JPEG or PNG photo: send the photo file's bytes.")
    if image.format not in FORMATS:
        raise Refused(400, "The body is a {} image: send a JPEG or PNG photo.".format(image.format))
    _check_pixels(image.size)  # what the header declares, before any scale or decoding
    if image.format != "PNG" and len(body) * 8 < _blocks(image.size):
        raise Refused(400, "The photo is damaged: its header declares {} x {} pixels, more than its {} bytes can hold. "
                           "Send the whole file again.".format(image.size[0], image.size[1], len(body)))
    return image


def decode(image, short_side):
    """Decode an opened photo to RGB, JPEGs at the smallest 1/2, 1/4 or 1/8 scale that keeps `short_side` pixels."""
    image.draft("RGB", (short_side, short_side))
    try:
        image.load()
    except (OSError, SyntaxError, ValueError):
        raise Refused(400, "The photo is truncated or damaged: send the whole file again.")
    try:
        if image.getexif().get(ORIENTATION, 1) != 1:  # only a photo that must be turned is copied to turn it
            image = ImageOps.exif_transpose(image)
    except (TypeError, ValueError):  # Pillow rewrites the EXIF block when it turns a photo, and chokes on bad tags
        raise Refused(400, "The photo's EXIF data is damaged: save the photo again without its metadata and resend.")
    image = centre(image)
    return image if image.mode == "RGB" else image.convert("RGB")


def centre(image):
    """The centre of the image, its long side cut to at most MAX_ASPECT times its short side."""
    width, height = image.size
    long_side = MAX_ASPECT * min(width, height)
    if max(width, height) <= long_side:
        return image
    left, top = max(0, (width - long_side) // 2), max(0, (height - long_side) // 2)
    return image.crop((left, top, left + min(width, long_side), top + min(height, long_side)))


def _blocks(size):
    """The 8 x 8 blocks of a JPEG's brightness: even a flat photo spends at least one bit on each (three, as Pillow
    saves a black one); a file with fewer bits lies about its size or lost its data. (Arithmetic-coded JPEGs could be
    smaller, but neither phones nor X write them.)"""
    width, height = size
    return ((width + 7) // 8) * ((height + 7) // 8)


def _check_pixels(size):
    width, height = size
    if width * height > MAX_PIXELS:
        raise Refused(413, TOO_MANY_PIXELS.format(width, height))

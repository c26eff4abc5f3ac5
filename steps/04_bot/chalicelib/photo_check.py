"""A photo uploaded to the bot's page, checked as the endpoint checks one: by its size before anything else, then by
what its bytes are (not by the name or type the browser gave), then by the pixels its header declares, before a
single pixel is decoded. The endpoint checks it again; this check saves a call that could only fail."""
import io
import warnings

from PIL import Image

# Lambda takes a request of at most 6 MB, and API Gateway hands it a photo in base64 (4 bytes for 3): 4 MB of photo
# and the form around it fit.
MAX_UPLOAD_BYTES = 4 * 1024 * 1024
MAX_PIXELS = 50 * 1000 * 1000  # as the endpoint: a 48-megapixel phone photo passes
FORMATS = ("JPEG", "MPO", "PNG")  # MPO: the multi-picture JPEG many phones write


class Refused(ValueError):
    """The upload is not a photo the bot answers: an HTTP status and one sentence for the person who sent it."""

    def __init__(self, status, sentence):
        super().__init__(sentence)
        self.status, self.sentence = status, sentence


def check_size(body):
    """Before the form is even parsed: an empty or oversize request is refused."""
    if not body:
        raise Refused(400, "Nothing arrived: pick a photo, then press Ask.")
    if len(body) > MAX_UPLOAD_BYTES:
        raise Refused(413, f"The photo is over {MAX_UPLOAD_BYTES // 2**20} MB: send a smaller one (or a copy saved "
                           "at a lower quality).")


def opened(photo):
    """The photo's header, read and checked; its pixels not decoded."""
    check_size(photo)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(photo))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise Refused(413, "The image declares too many pixels: send a photo of at most 50 megapixels.") from None
    except (OSError, SyntaxError, ValueError):
        image = None
    if image is None or image.format not in FORMATS:
        raise Refused(415, "That file is not a JPEG or PNG photo: pick a photo.")
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise Refused(413, f"The image declares {width} x {height} pixels: send a photo of at most 50 megapixels.")
    return image

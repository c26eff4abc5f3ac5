"""Shrink a photo for training: upright, RGB, short side `size` pixels, JPEG."""
import io
from pathlib import Path

from PIL import ExifTags, Image, ImageOps

QUALITY = 95
UPRIGHT = 1  # the EXIF orientation of a photo that needs no turning
JPEG_MAX_SIDE = 65500  # pixels: JPEG cannot hold a longer side


def shrink(path, size):
    """JPEG bytes of the photo at `path` with its short side resized to `size` pixels."""
    with Image.open(path) as image:
        if image.format == "JPEG" and image.mode == "RGB" and min(image.size) == size:
            if image.getexif().get(ExifTags.Base.Orientation, UPRIGHT) == UPRIGHT:
                return Path(path).read_bytes()  # already right: no decoding, no second JPEG generation loss
        # Let the JPEG decoder downscale by 1/2, 1/4 or 1/8 while decoding (never below `size`): far less work.
        image.draft("RGB", (size, size))
        image = ImageOps.exif_transpose(image).convert("RGB")
    scale = size / min(image.size)
    image = centre_within(image, JPEG_MAX_SIDE / scale)  # a 1 x 5000 strip would be 64 x 320,000 pixels
    width, height = (max(size, round(side * scale)) for side in image.size)
    # Shrinking averages the pixels each new pixel covers (fast, no aliasing); enlarging interpolates.
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BICUBIC
    image = image.resize((width, height), resample)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=QUALITY)
    return buffer.getvalue()


def centre_within(image, longest):
    """The centre of `image`, its long side cut to `longest` pixels (as serving's centre crop keeps the middle)."""
    width, height = (min(side, int(longest)) for side in image.size)
    left, top = (image.width - width) // 2, (image.height - height) // 2
    return image.crop((left, top, left + width, top + height)) if (width, height) != image.size else image


"""Photos that look odd but are photos: a long thin strip, a 48-megapixel phone JPEG, a phone's MPO file.

Each is answered, at the cost of a small photo (a 1 x 100,000 PNG once took gigabytes and seconds). And how decode
gives the pixels preprocess resizes: JPEGs at the smallest reduced scale that keeps the short side (the decode is most
of a big photo's cost beside the network), turned upright as the EXIF says, always RGB."""
import io
import json

import numpy as np
import pytest
from PIL import Image


def png(size):
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 160, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(image, **options):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def phone_photo(big_jpeg):
    """A real-size phone photo: 8000 x 6000 pixels (48 MP), under 6 MB."""
    return jpeg(Image.open(io.BytesIO(big_jpeg)).resize((8000, 6000)))


@pytest.fixture(scope="module")
def mpo(big_jpeg):
    """What many phones write: an MPO file whose first frame is the photo and whose second is another picture."""
    first, second = Image.open(io.BytesIO(big_jpeg)), Image.new("RGB", (1024, 768), (255, 0, 0))
    buffer = io.BytesIO()
    first.save(buffer, "MPO", quality=90, save_all=True, append_images=[second])
    return buffer.getvalue()


def flat(mode, size, **options):
    """A photo of one colour: as few bytes as a real JPEG of that size can have."""
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "JPEG", optimize=True, **options)
    return buffer.getvalue()


ODD_PHOTOS = [  # (what was sent, how to make it)
    ("a black 8000 x 6000 JPEG, as small as a real one gets", lambda fixtures: flat("RGB", (8000, 6000))),
    ("a black 4000 x 3000 progressive grey JPEG", lambda fixtures: flat("L", (4000, 3000), progressive=True)),
    ("a 1 x 100,000 PNG strip", lambda fixtures: png((1, 100_000))),
    ("a 250,000 x 1 PNG strip", lambda fixtures: png((250_000, 1))),
    ("a 48-megapixel phone JPEG (8000 x 6000)", lambda fixtures: fixtures.getfixturevalue("phone_photo")),
    ("an MPO file (two frames)", lambda fixtures: fixtures.getfixturevalue("mpo")),
]


@pytest.fixture(params=ODD_PHOTOS, ids=[row[0] for row in ODD_PHOTOS])
def odd_photo(request):
    return request.param[0], request.param[1](request)


def test_odd_but_real_photos_are_answered(host, locator, odd_photo):
    inference = host("inference")
    what, body = odd_photo
    prediction = inference.predict_fn(inference.input_fn(body, "application/x-image"), locator)
    assert len(json.loads(inference.output_fn(prediction, "application/json")[0])["predictions"]) == 3, what


def test_a_long_strip_is_cut_to_its_centre_before_it_is_resized(host):
    photo = host("photo")
    image = photo.decode(photo.open_photo(png((1, 100_000))), 200)
    assert max(image.size) <= photo.MAX_ASPECT * min(image.size), (
        f"a 1 x 100,000 strip decoded to {image.size}: cut its long side to MAX_ASPECT x its short side, so resizing "
        "the short side to 200 pixels does not make a 200 x 20,000,000 image"
    )


def test_a_48_megapixel_jpeg_is_decoded_at_a_reduced_scale(host, phone_photo):
    photo = host("photo")
    image = photo.decode(photo.open_photo(phone_photo), 224)
    assert min(image.size) >= 224 and image.size[0] * image.size[1] <= 1000 * 750, (
        f"decoded at {image.size}: JPEG draft mode decodes 8000 x 6000 at 1/8 scale when 224 pixels are needed"
    )


def test_an_mpo_file_is_answered_from_its_first_frame(host, locator, mpo, big_jpeg):
    inference = host("inference")
    alone = jpeg(Image.open(io.BytesIO(big_jpeg)))  # encoded as the MPO's first frame was
    answers = [inference.predict_fn(inference.input_fn(body, "image/jpeg"), locator).top for body in (mpo, alone)]
    assert [(cell["token"], round(p, 4)) for cell, p in answers[0]] == [
        (cell["token"], round(p, 4)) for cell, p in answers[1]
    ], "an MPO file is a JPEG with more pictures after it: answer from the first"


def flat_photo(form, mode, size):
    buffer = io.BytesIO()
    Image.new(mode, size, 128).save(buffer, form, **({"quality": 90} if form == "JPEG" else {}))
    return buffer.getvalue()


DECODED_SIZES = [  # (what was sent, its format, mode and size, the size decode(..., 224) gives)
    ("a 640 x 480 JPEG, at 1/2", "JPEG", "RGB", (640, 480), (320, 240)),
    ("a 2048 x 1536 JPEG, at 1/4", "JPEG", "RGB", (2048, 1536), (512, 384)),
    ("a 1791 x 1343 JPEG, at 1/4: 1/8 would leave 168 pixels", "JPEG", "RGB", (1791, 1343), (448, 336)),
    ("a 1792 x 1792 JPEG, at 1/8: exactly 224", "JPEG", "RGB", (1792, 1792), (224, 224)),
    ("a portrait 1536 x 2048 JPEG, at 1/4", "JPEG", "RGB", (1536, 2048), (384, 512)),
    ("a 447 x 300 JPEG, whole: 1/2 would leave 150 pixels", "JPEG", "RGB", (447, 300), (447, 300)),
    ("a grey 2048 x 1536 JPEG, at 1/4, then RGB", "JPEG", "L", (2048, 1536), (512, 384)),
    ("a 1024 x 768 PNG, whole (PNG has no reduced scale)", "PNG", "RGB", (1024, 768), (1024, 768)),
    ("a 1024 x 768 PNG with transparency, whole, then RGB", "PNG", "RGBA", (1024, 768), (1024, 768)),
]


@pytest.mark.parametrize("form, mode, size, decoded", [row[1:] for row in DECODED_SIZES],
                         ids=[row[0] for row in DECODED_SIZES])
def test_a_jpeg_is_decoded_at_the_smallest_scale_that_keeps_the_short_side(host, form, mode, size, decoded):
    photo = host("photo")
    image = photo.decode(photo.open_photo(flat_photo(form, mode, size)), 224)
    assert (image.size, image.mode) == (decoded, "RGB"), (
        f"a {form} of {size[0]} x {size[1]} ({mode}) decoded to {image.size} {image.mode}, not {decoded} RGB: JPEGs decode "
        "at the smallest of 1/2, 1/4, 1/8 that keeps the short side at least `short_side` (below it the resize would "
        "enlarge, and the network would see other pixels than training's, which step 01 decoded the same way); "
        "PNGs decode whole; every photo comes out RGB"
    )


UPRIGHT = [  # (EXIF orientation, where the photo's top, stored red, must end up once turned upright)
    (3, "bottom"),  # upside down
    (6, "right"),  # the phone held with its top to the left: turn a quarter clockwise
    (8, "left"),  # the phone held with its top to the right: turn a quarter anticlockwise
]


@pytest.mark.parametrize("orientation, red", UPRIGHT, ids=[f"orientation {o}" for o, _ in UPRIGHT])
def test_a_turned_phone_photo_is_decoded_upright_at_a_reduced_scale(host, orientation, red):
    photo = host("photo")
    stored = Image.new("RGB", (2048, 1536), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 2048, 768))  # the stored top half red, the bottom half blue
    exif = Image.Exif()
    exif[0x0112] = orientation
    image = photo.decode(photo.open_photo(jpeg(stored, exif=exif)), 224)
    turned = orientation != 3
    assert image.size == ((384, 512) if turned else (512, 384)), (
        f"a 2048 x 1536 JPEG with EXIF orientation {orientation} decoded to {image.size}: at 1/4 scale, then turned"
    )
    pixels = np.asarray(image, dtype=np.float32)
    half = {"bottom": pixels[pixels.shape[0] // 2:], "right": pixels[:, pixels.shape[1] // 2:],
            "left": pixels[:, :pixels.shape[1] // 2]}[red]
    assert half[..., 0].mean() > 200 and half[..., 2].mean() < 55, (
        f"with EXIF orientation {orientation} the photo's top (red) is not on the {red}: turn it as the EXIF says "
        "(ImageOps.exif_transpose), as step 01 did for the training photos"
    )

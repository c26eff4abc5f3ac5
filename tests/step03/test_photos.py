"""Photos that look odd but are photos: a long thin strip, a 48-megapixel phone JPEG, a phone's MPO file.

Each is answered, at the cost of a small photo (a 1 x 100,000 PNG once took gigabytes and seconds)."""
import io
import json

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

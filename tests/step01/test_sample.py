"""The toy world: deterministic, geotagged, and its look depends on the place (and not on left or right)."""
import numpy as np
import pytest
from PIL import ExifTags, Image


@pytest.fixture(scope="module")
def sample(load):
    return load("01_data", "sample")


@pytest.fixture(scope="module")
def photos(sample, tmp_path_factory):
    return sample.write_photos(tmp_path_factory.mktemp("toy"), 20, seed=5, size=32)


def test_the_same_seed_renders_the_same_photos(sample, photos, tmp_path):
    again = sample.write_photos(tmp_path, 20, seed=5, size=32)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in photos]
    other = sample.write_photos(tmp_path / "other", 20, seed=6, size=32)
    assert [p.read_bytes() for p in other] != [p.read_bytes() for p in photos]


def test_photos_carry_their_place_in_gps_exif(sample, photos):
    for path, (lat, lng) in zip(photos, sample.places(20, seed=5)):
        with Image.open(path) as image:
            gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
            assert image.size == (43, 32)
        degrees, minutes, seconds = (float(v) for v in gps[ExifTags.GPS.GPSLatitude])
        sign = -1 if gps[ExifTags.GPS.GPSLatitudeRef] == "S" else 1
        assert sign * (degrees + minutes / 60 + seconds / 3600) == pytest.approx(lat, abs=1e-6)


def test_places_are_near_real_cities(sample):
    from_cities = [
        min(abs(lat - c_lat) + abs(lng - c_lng) for _, c_lat, c_lng, _ in sample.CITIES)
        for lat, lng in sample.places(200, seed=0)
    ]
    assert np.median(from_cities) < 2, "photos are taken around the cities of cities.py"


def test_the_look_changes_smoothly_with_the_place(sample):
    here = sample.style(48.85, 2.35)
    assert np.abs(sample.style(48.90, 2.40) - here).max() < 0.02, "a few kilometres away looks the same"
    far = [sample.style(lat, lng) for lat, lng in [(-33.9, 151.2), (35.7, 139.7), (-22.9, -43.2), (40.7, -74.0)]]
    assert min(np.abs(style - here).mean() for style in far) > 0.15, "other continents look different"


def test_nothing_in_a_scene_depends_on_left_or_right(sample):
    rng = np.random.RandomState(0)
    mean = np.mean([np.asarray(sample.render(30.0, 31.0, rng, 32), float) for _ in range(100)], axis=0)
    left, right = mean[:, :21].mean(axis=(0, 1)), mean[:, -21:].mean(axis=(0, 1))
    assert np.abs(left - right).max() < 2, (
        "on average the left and right halves of a place's scenes must look alike: training flips photos, "
        "so a cue on one side (a sun on the left, a gradient) would teach the model nothing"
    )

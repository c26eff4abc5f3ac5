"""01.1: GPS in EXIF -> decimal degrees, on photos the tests write themselves."""
import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational


@pytest.fixture(scope="module")
def geotag(load):
    return load("01_data", "geotag")


@pytest.mark.todo("01.1")
@pytest.mark.parametrize(
    "place, lat, lng",
    [
        ("Paris (north, east)", 48.858222, 2.2945),
        ("New York (north, west)", 40.689247, -74.044502),
        ("Sydney (south, east)", -33.856784, 151.215297),
        ("Rio de Janeiro (south, west)", -22.951916, -43.210487),
    ],
)
def test_gps_exif_is_read_in_all_four_hemispheres(geotag, photo_writer, tmp_path, place, lat, lng):
    path = photo_writer(tmp_path / "photo.jpg", lat, lng)
    with Image.open(path) as image:
        position = geotag.read_position(image)
    assert position == pytest.approx((lat, lng), abs=1e-5), (
        f"{place}: read {position}, expected {(lat, lng)}. degrees + minutes/60 + seconds/3600, "
        "negative when the reference is S or W (gps_to_degrees)."
    )


@pytest.mark.todo("01.1")
def test_gps_to_degrees_adds_minutes_and_seconds(geotag):
    value = (IFDRational(33, 1), IFDRational(52, 1), IFDRational(1234, 100))
    expected = 33 + 52 / 60 + 12.34 / 3600
    north = geotag.gps_to_degrees(value, "N")
    assert north == pytest.approx(expected), (
        f"33° 52' 12.34\" N read as {north}, expected {expected}: a minute is 1/60 of a degree, a second 1/3600"
    )


@pytest.mark.todo("01.1")
@pytest.mark.parametrize("ref, sign", [("N", 1), ("E", 1), ("S", -1), ("W", -1), ("s", -1), ("w ", -1)],
                         ids=["N", "E", "S", "W", "s, as some cameras write it", "w with a space"])
def test_south_and_west_are_negative(geotag, ref, sign):
    value = (IFDRational(33, 1), IFDRational(52, 1), IFDRational(1234, 100))
    expected = sign * (33 + 52 / 60 + 12.34 / 3600)
    read = geotag.gps_to_degrees(value, ref)
    assert read == pytest.approx(expected), (
        f"33° 52' 12.34\" {ref} read as {read}, expected {expected}: the whole value (degrees, minutes and seconds) "
        "is negative when the reference is S or W (whatever its case, around spaces), positive for N and E"
    )


@pytest.mark.todo("01.1")
@pytest.mark.parametrize("value, expected", [
    ((IFDRational(488583, 10000), IFDRational(0, 1), IFDRational(0, 1)), 48.8583),
    ((IFDRational(48, 1), IFDRational(103, 2), IFDRational(0, 1)), 48 + 51.5 / 60),
    ((IFDRational(151, 1), IFDRational(12, 1), IFDRational(5507, 100)), 151 + 12 / 60 + 55.07 / 3600),
], ids=["decimal degrees in the first rational", "minutes with a fraction", "three digits of degrees"])
def test_every_part_is_a_fraction_not_only_the_seconds(geotag, value, expected):
    read = geotag.gps_to_degrees(value, "E")
    assert read == pytest.approx(expected), (
        f"{tuple(str(part) for part in value)} E read as {read}, expected {expected}: some cameras write degrees "
        "or minutes as fractions too; float() each of the three rationals."
    )


def test_photo_without_gps_has_no_position(geotag, photo_writer, tmp_path):
    with Image.open(photo_writer(tmp_path / "plain.jpg")) as image:
        assert geotag.read_position(image) is None


@pytest.mark.todo("01.1")
def test_written_gps_reads_back(geotag, tmp_path):
    path = tmp_path / "tagged.jpg"
    Image.new("RGB", (8, 8)).save(path, exif=geotag.gps_exif(-12.3456789, -170.5))
    with Image.open(path) as image:
        assert geotag.read_position(image) == pytest.approx((-12.3456789, -170.5), abs=1e-6)


@pytest.mark.parametrize("lat, lng, possible", [(0, 0, True), (90, -180, True), (90.5, 0, False), (0, 181, False)])
def test_positions_beyond_the_globe_are_impossible(geotag, lat, lng, possible):
    assert geotag.is_possible(lat, lng) is possible

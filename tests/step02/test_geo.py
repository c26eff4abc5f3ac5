"""geo.py: great-circle distances between known cities, and the share of photos placed within 1/25/200/750/2500 km."""
import numpy as np
import pytest

PARIS, LONDON, NEW_YORK = (48.8566, 2.3522), (51.5074, -0.1278), (40.7128, -74.0060)
LOS_ANGELES, SYDNEY, TOKYO = (34.0522, -118.2437), (-33.8688, 151.2093), (35.6762, 139.6503)


@pytest.fixture(scope="module")
def geo(load):
    return load("02_train", "geo")


# Distances worked out by hand with the haversine formula on a sphere of radius 6371 km.
@pytest.mark.parametrize(
    "a, b, km",
    [
        (PARIS, LONDON, 343.6),
        (NEW_YORK, LOS_ANGELES, 3935.7),
        (SYDNEY, TOKYO, 7825.8),
        ((0.0, 0.0), (0.0, 180.0), 20015.1),  # half the equator
        (PARIS, PARIS, 0.0),
    ],
)
def test_haversine_distance_between_cities(geo, a, b, km):
    assert geo.haversine_km(a[0], a[1], b[0], b[1]) == pytest.approx(km, abs=0.1)


@pytest.mark.todo("02.3")
def test_geo_accuracy_counts_photos_within_each_distance(geo):
    # Cells: 0 at Paris, 1 at New York, 2 at Tokyo. Four photos, each with the cell the network predicted.
    cell_lat = np.array([PARIS[0], NEW_YORK[0], TOKYO[0]])
    cell_lng = np.array([PARIS[1], NEW_YORK[1], TOKYO[1]])
    photos = [PARIS, LONDON, LOS_ANGELES, SYDNEY]
    predicted = [0, 0, 1, 2]  # 0 km, 343.6 km, 3935.7 km, 7825.8 km away
    shares = geo.geo_accuracy(
        predicted, np.array([p[0] for p in photos]), np.array([p[1] for p in photos]), cell_lat, cell_lng
    )
    assert shares == pytest.approx({1: 0.25, 25: 0.25, 200: 0.25, 750: 0.5, 2500: 0.5}), (
        f"shares {shares} for photos 0, 344, 3936 and 7826 km from their predicted cells: for each of "
        "1/25/200/750/2500 km, give the share (a mean) of photos whose predicted cell's mean position lies within "
        "that distance, measured in km by haversine_km(lat1, lng1, lat2, lng2), which takes degrees"
    )


@pytest.mark.todo("02.3")
def test_geo_accuracy_uses_the_predicted_cells_position_not_its_number(geo):
    # The same photo, predicted as cell 1 (at the photo) or cell 0 (across the world).
    cell_lat, cell_lng = np.array([SYDNEY[0], LONDON[0]]), np.array([SYDNEY[1], LONDON[1]])
    message = "look up the predicted class's mean lat/lng (cell_lat[predicted], cell_lng[predicted])"
    assert geo.geo_accuracy([1], np.array([LONDON[0]]), np.array([LONDON[1]]), cell_lat, cell_lng)[1] == 1.0, message
    assert geo.geo_accuracy([0], np.array([LONDON[0]]), np.array([LONDON[1]]), cell_lat, cell_lng)[2500] == 0.0, message


@pytest.mark.todo("02.3")
def test_geo_accuracy_takes_classes_as_mxnet_gives_them(geo):
    # argmax of MXNet scores answers float32 classes (numpy: int64); one photo a class, several photos a cell.
    cell_lat, cell_lng = np.array([SYDNEY[0], LONDON[0], PARIS[0]]), np.array([SYDNEY[1], LONDON[1], PARIS[1]])
    photos = [LONDON, PARIS, SYDNEY, LONDON]
    for predicted in (np.array([1, 2, 0, 0], dtype=np.float32), np.array([1, 2, 0, 0], dtype=np.int32)):
        try:
            shares = geo.geo_accuracy(predicted, np.array([p[0] for p in photos]), np.array([p[1] for p in photos]),
                                      cell_lat, cell_lng)
        except IndexError as error:
            pytest.fail(f"classes as {predicted.dtype} failed ({error}): make `predicted` whole numbers "
                        "(np.asarray(predicted, dtype=np.int64)) before looking up their cells")
        assert shares == pytest.approx({1: 0.75, 25: 0.75, 200: 0.75, 750: 0.75, 2500: 0.75}), (
            f"shares {shares} for {predicted.dtype} classes [1, 2, 0, 0] of photos in London, Paris, Sydney and "
            "London: three sit in their predicted cell, the last is 17,000 km from it"
        )


@pytest.mark.todo("02.3")
def test_geo_accuracy_measures_on_the_globe_not_on_a_flat_map(geo):
    # A photo 21 km from its cell across the 180° meridian (Fiji), and one 1569 km from its cell near the North Pole,
    # where 90° of longitude are short: a flat map of degrees puts them 40,000 and 10,000 km away.
    cell_lat, cell_lng = np.array([-17.0, 80.0]), np.array([-179.9, 90.0])
    shares = geo.geo_accuracy([0, 1], np.array([-17.0, 80.0]), np.array([179.9, 0.0]), cell_lat, cell_lng)
    assert shares == pytest.approx({1: 0.0, 25: 0.5, 200: 0.5, 750: 0.5, 2500: 1.0}), (
        f"shares {shares}: a photo 21 km from its cell across the 180° meridian and one 1569 km from its cell near "
        "the North Pole should count within 25 and 2500 km. Measure great-circle distances with haversine_km(lat1, "
        "lng1, lat2, lng2) in degrees, not differences of degrees."
    )


def on_the_equator_exactly(geo, km):
    """The longitude on the equator that haversine_km puts exactly `km` from (0, 0)."""
    lng = float(np.degrees(km / geo.EARTH_RADIUS_KM))
    for _ in range(100):
        distance = float(geo.haversine_km(0.0, 0.0, 0.0, lng))
        if distance == km:
            return lng
        lng = float(np.nextafter(lng, np.inf if distance < km else -np.inf))
    raise AssertionError(f"no longitude on the equator is exactly {km} km from (0, 0) by haversine_km")


@pytest.mark.todo("02.3")
def test_a_photo_exactly_at_a_threshold_counts_as_within_it(geo):
    photo_lng = np.array([on_the_equator_exactly(geo, 25), on_the_equator_exactly(geo, 750)])
    shares = geo.geo_accuracy([0, 0], np.zeros(2), photo_lng, np.array([0.0]), np.array([0.0]))
    assert shares == pytest.approx({1: 0.0, 25: 0.5, 200: 0.5, 750: 1.0, 2500: 1.0}), (
        f"shares {shares} for photos exactly 25 and 750 km from their cell: a photo at exactly the distance counts as "
        "within it (distances <= km), and each share is the fraction of all photos (a mean, not a count)."
    )

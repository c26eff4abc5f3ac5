"""Distances on the globe and PlaNet's geolocation accuracy: the share of photos placed within 1/25/200/750/2500 km."""
import numpy as np

EARTH_RADIUS_KM = 6371.0
THRESHOLDS_KM = (1, 25, 200, 750, 2500)


def haversine_km(lat1, lng1, lat2, lng2):
    """Great-circle distance in km between points given in degrees (numbers or numpy arrays)."""
    lat1, lng1, lat2, lng2 = (np.radians(np.asarray(value, dtype=np.float64)) for value in (lat1, lng1, lat2, lng2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def geo_accuracy(predicted, true_lat, true_lng, cell_lat, cell_lng):
    """{km: share of photos whose predicted cell's mean position lies within km of where the photo was taken}.

    `predicted` holds one class a photo; `cell_lat`/`cell_lng` the mean position of each class (cells.tsv).
    """
    raise NotImplementedError("TODO 02.3: geo accuracy: the share of photos within each distance of their predicted cell")

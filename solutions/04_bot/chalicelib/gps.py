"""Where a photo says it was taken (its GPS EXIF), and how far a guess is from there."""
import math

from PIL import ExifTags

EARTH_RADIUS_KM = 6371.0


def _degrees(value, ref):
    degrees, minutes, seconds = (float(part) for part in value)
    sign = -1 if ref in ("S", "W") else 1
    return sign * (degrees + minutes / 60 + seconds / 3600)


def position(image):
    """(lat, lng) from an opened image's GPS EXIF, or None when it has none (or a broken one)."""
    try:
        tags = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        lat = _degrees(tags[ExifTags.GPS.GPSLatitude], tags.get(ExifTags.GPS.GPSLatitudeRef, "N"))
        lng = _degrees(tags[ExifTags.GPS.GPSLongitude], tags.get(ExifTags.GPS.GPSLongitudeRef, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, SyntaxError, OSError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lng) and abs(lat) <= 90 and abs(lng) <= 180):
        return None
    return lat, lng


def km_between(a, b):
    """The great-circle distance between two (lat, lng) points, in km."""
    (lat1, lng1), (lat2, lng2) = (map(math.radians, point) for point in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))

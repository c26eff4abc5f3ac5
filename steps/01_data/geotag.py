"""GPS positions in EXIF: read one from a photo as decimal degrees, or write one into a photo."""
import math

from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

GPS = ExifTags.GPS


def gps_to_degrees(value, ref):
    """Degrees/minutes/seconds rationals and an N/S/E/W reference -> signed decimal degrees."""
    raise NotImplementedError("TODO 01.1: EXIF GPS to decimal degrees: degrees/minutes/seconds and an N/S/E/W reference")


def read_position(image):
    """(lat, lng) from an opened image's EXIF, or None when it holds no GPS position."""
    gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    if GPS.GPSLatitude not in gps or GPS.GPSLongitude not in gps:
        return None
    lat = gps_to_degrees(unsigned(gps[GPS.GPSLatitude]), reference(gps.get(GPS.GPSLatitudeRef, "N"), "NS"))
    lng = gps_to_degrees(unsigned(gps[GPS.GPSLongitude]), reference(gps.get(GPS.GPSLongitudeRef, "E"), "EW"))
    return lat, lng


def unsigned(value):
    """Degrees, minutes and seconds as EXIF keeps them: three numbers, none below 0, as the reference letter alone says
    the side. A signed one (-33/-52/-24 with S) would say it twice, or contradict it: ValueError, so the photo counts
    as bad GPS."""
    parts = tuple(value)
    if len(parts) != 3 or any(float(part) < 0 for part in parts):
        raise ValueError(f"GPS degrees, minutes and seconds {parts!r} are not three numbers of 0 or more")
    return parts


def reference(value, letters):
    """A GPS reference letter, one of `letters` ("NS" or "EW"), as text: some files store it as bytes (b"W").
    Anything else ("X", "", a number) is no direction: ValueError, so the photo counts as bad GPS, not as north."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace").strip("\0")
    if not (isinstance(value, str) and len(value.strip()) == 1 and value.strip().upper() in letters):
        raise ValueError(f"a GPS reference {value!r} is not one of {', '.join(letters)}")
    return value


def is_possible(lat, lng):
    """A position on Earth: latitude within ±90, longitude within ±180."""
    return math.isfinite(lat) and math.isfinite(lng) and abs(lat) <= 90 and abs(lng) <= 180


def degrees_to_gps(degrees):
    """Unsigned decimal degrees -> (degrees, minutes, seconds) as EXIF rationals (seconds to 1/1000)."""
    milliseconds = round(abs(degrees) * 3600 * 1000)
    whole_degrees, rest = divmod(milliseconds, 3600 * 1000)
    minutes, rest = divmod(rest, 60 * 1000)
    return IFDRational(whole_degrees, 1), IFDRational(minutes, 1), IFDRational(rest, 1000)


def gps_exif(lat, lng):
    """An EXIF block that says the photo was taken at (lat, lng), for Image.save(..., exif=...)."""
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
    gps[GPS.GPSLatitude] = degrees_to_gps(lat)
    gps[GPS.GPSLongitudeRef] = "E" if lng >= 0 else "W"
    gps[GPS.GPSLongitude] = degrees_to_gps(lng)
    return exif

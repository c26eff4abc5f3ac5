"""EXIF blocks built byte by byte, for the mistakes real and fuzzed files carry that Pillow will not write itself
(a tag stored with the wrong type): exif_block([...], gps=[...]) -> the bytes for Image.save(..., exif=...)."""
import struct

BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED, SRATIONAL = 1, 2, 3, 4, 5, 7, 10
ORIENTATION, GPS_IFD = 0x0112, 0x8825
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4


def shorts(*values):
    return SHORT, len(values), struct.pack(f"<{len(values)}H", *values)


def text(value):
    return ASCII, len(value) + 1, value.encode("ascii") + b"\0"


def raw(kind, value):
    """Bytes stored under another type (BYTE, UNDEFINED, ...) than the tag's own."""
    return kind, len(value), value


def degrees(value):
    """Unsigned decimal degrees as EXIF's three rationals (whole degrees, minutes, 1/100 seconds)."""
    hundredths = round(abs(value) * 360000)
    parts = (hundredths // 360000, 1, hundredths // 6000 % 60, 1, hundredths % 6000, 100)
    return RATIONAL, 3, struct.pack("<6I", *parts)


def signed(*parts):
    """Degrees, minutes and seconds stored as signed rationals (-33, -52, -24): what some writers do for south or
    west, on top of the reference letter."""
    return SRATIONAL, len(parts), struct.pack(f"<{2 * len(parts)}i", *(n for part in parts for n in (part, 1)))


def _ifd(entries, start):
    """One little-endian IFD at offset `start`, followed by the values longer than 4 bytes."""
    table, values = struct.pack("<H", len(entries)), b""
    values_start = start + 2 + 12 * len(entries) + 4
    for tag, (kind, count, value) in sorted(entries.items()):
        if len(value) <= 4:
            field = value.ljust(4, b"\0")
        else:
            field = struct.pack("<I", values_start + len(values))
            values += value + b"\0" * (len(value) % 2)
        table += struct.pack("<HHI", tag, kind, count) + field
    return table + struct.pack("<I", 0) + values


def exif_block(base=None, gps=None):
    """b"Exif\\0\\0" + TIFF: IFD0 holds `base` ({tag: (type, count, bytes)}), and points to a GPS IFD of `gps`."""
    base = dict(base or {})
    if gps:
        base[GPS_IFD] = (LONG, 1, b"\0" * 4)  # a placeholder of the pointer's size, to measure IFD0
        base[GPS_IFD] = (LONG, 1, struct.pack("<I", 8 + len(_ifd(base, 8))))
    tiff = b"II*\0" + struct.pack("<I", 8) + _ifd(base, 8)
    if gps:
        tiff += _ifd(gps, len(tiff))
    return b"Exif\0\0" + tiff

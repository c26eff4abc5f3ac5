"""What a careless or hostile client sends to the endpoint, for the handler and the server tests alike."""
import io
import struct
import zlib

from exif_blocks import GPS_LATITUDE_REF, ORIENTATION, exif_block, shorts
from PIL import Image


def png_declaring(width, height):
    """A tiny PNG file whose header declares width x height pixels (a decompression bomb when that is huge)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg_with_exif(exif, size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


# Turned sideways (orientation 6), with a GPS reference letter stored as two numbers: Pillow cannot rewrite it.
MISTYPED_EXIF = exif_block({ORIENTATION: shorts(6)}, gps={GPS_LATITUDE_REF: shorts(78, 0)})
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000

# What a careless or hostile client sends: (what they did, body, content type, status, a word the answer must contain)
BAD_REQUESTS = [
    ("a truncated JPEG", "truncated", "image/jpeg", 400, "truncated"),
    ("a PNG bomb declaring 100,000 x 100,000 pixels", png_declaring(100_000, 100_000), "image/png", 413, "pixels"),
    ("a PNG declaring 64 megapixels", png_declaring(8_000, 8_000), "image/png", 413, "pixels"),
    ("a text file sent as image/jpeg", b"Where was this taken?\n", "image/jpeg", 400, "JPEG or PNG"),
    ("an empty body", b"", "image/jpeg", 400, "empty"),
    ("an unsupported content type", b"a,b\n1,2\n", "text/csv", 415, "image/jpeg"),
    ("a URL on another host", b'{"url": "https://example.com/photo.jpg"}', "application/json", 400, "pbs.twimg.com"),
    ("a URL over plain http", b'{"url": "http://pbs.twimg.com/media/a.jpg"}', "application/json", 400, "https"),
    ("a URL to a private address", b'{"url": "https://10.0.0.7/photo.jpg"}', "application/json", 400, "private"),
    ("a URL to the loopback address", b'{"url": "https://127.0.0.1/photo.jpg"}', "application/json", 400, "private"),
    ("a URL with a port out of range", b'{"url": "https://pbs.twimg.com:99999/a"}', "application/json", 400, "parse"),
    ("JSON that does not parse", b'{"url": ', "application/json", 400, "JSON"),
    ("JSON without a url", b'{"photo": "x"}', "application/json", 400, "url"),
    ("k=0", b'{"url": "https://pbs.twimg.com/media/a.jpg", "k": 0}', "application/json", 400, "k"),
    ("k=1000", b'{"url": "https://pbs.twimg.com/media/a.jpg", "k": 1000}', "application/json", 400, "k"),
    ("a sideways photo whose EXIF has a mistyped tag", jpeg_with_exif(MISTYPED_EXIF), "image/jpeg", 400, "EXIF"),
    ("JSON nested 100,000 deep", DEEP_JSON, "application/json", 400, "JSON"),
    ("a 50 MB body", b"\xff\xd8\xff" + bytes(50 * 1024 * 1024), "image/jpeg", 413, "MB"),
]

"""What a careless or hostile client sends to the endpoint, for the handler and the server tests alike."""
import io
import struct
import zlib

from PIL import Image

from exif_blocks import GPS_LATITUDE_REF, ORIENTATION, exif_block, shorts


def png_declaring(width, height):
    """A tiny PNG file whose header declares width x height pixels (a decompression bomb when that is huge)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg_declaring(width, height, progressive=False):
    """A small real JPEG whose frame header (SOF marker) was edited to declare width x height pixels."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, "JPEG", quality=90, progressive=progressive)
    jpeg, at = buffer.getvalue(), 2
    while jpeg[at + 1] not in (0xC0, 0xC1, 0xC2):  # baseline, extended, progressive: the frame header
        at += 2 + struct.unpack(">H", jpeg[at + 2:at + 4])[0]
    return jpeg[:at + 5] + struct.pack(">HH", height, width) + jpeg[at + 9:]


def cut_in_half(image, format, **options):
    """The first half of a real photo file: what a dropped upload leaves."""
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


def jpeg_with_exif(exif, size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


# Turned sideways (orientation 6), with a GPS reference letter stored as two numbers: Pillow cannot rewrite it.
MISTYPED_EXIF = exif_block({ORIENTATION: shorts(6)}, gps={GPS_LATITUDE_REF: shorts(78, 0)})
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
NOISE = Image.effect_noise((320, 240), 60).convert("RGB")  # photo-like: it does not compress to nothing

# What a careless or hostile client sends: (what they did, body, content type, status, a word the answer must contain)
BAD_REQUESTS = [
    ("a truncated JPEG", "truncated", "image/jpeg", 400, "truncated"),
    ("a truncated progressive JPEG", cut_in_half(NOISE, "JPEG", progressive=True), "image/jpeg", 400, "truncated"),
    ("a truncated PNG", cut_in_half(NOISE, "PNG"), "image/png", 400, "truncated"),
    ("a tiny progressive JPEG declaring 13,300 x 13,300 pixels", jpeg_declaring(13_300, 13_300, progressive=True),
     "image/jpeg", 413, "50 megapixels"),
    ("a tiny baseline JPEG declaring 13,000 x 13,000 pixels", jpeg_declaring(13_000, 13_000), "image/jpeg", 413,
     "50 megapixels"),
    ("a progressive JPEG declaring 8,200 x 6,200 pixels", jpeg_declaring(8_200, 6_200, progressive=True),
     "image/jpeg", 413, "50 megapixels"),
    ("a tiny JPEG declaring 4,000 x 3,000 pixels, more than its bytes hold", jpeg_declaring(4_000, 3_000), "image/jpeg",
     400, "damaged"),
    ("a tiny progressive JPEG declaring 2,000 x 2,000 pixels", jpeg_declaring(2_000, 2_000, progressive=True),
     "image/jpeg", 400, "damaged"),
    ("a PNG bomb declaring 100,000 x 100,000 pixels", png_declaring(100_000, 100_000), "image/png", 413, "pixels"),
    ("a PNG declaring 64 megapixels", png_declaring(8_000, 8_000), "image/png", 413, "50 megapixels"),
    ("a text file sent as image/jpeg", b"Where was this taken?\n", "image/jpeg", 400, "JPEG or PNG"),
    ("an empty body", b"", "image/jpeg", 400, "empty"),
    ("an unsupported content type", b"a,b\n1,2\n", "text/csv", 415, "image/jpeg"),
    ("a URL on another host", b'{"url": "https://example.com/photo.jpg"}', "application/json", 400, "pbs.twimg.com"),
    ("a URL over plain http", b'{"url": "http://pbs.twimg.com/media/a.jpg"}', "application/json", 400, "https"),
    ("a URL to a private address", b'{"url": "https://10.0.0.7/photo.jpg"}', "application/json", 400, "private"),
    ("a URL to the loopback address", b'{"url": "https://127.0.0.1/photo.jpg"}', "application/json", 400, "private"),
    ("a URL with a port out of range", b'{"url": "https://pbs.twimg.com:99999/a"}', "application/json", 400, "parse"),
    ("a URL with characters that are not ASCII", '{"url": "https://pbs.twimg.com/media/\u00e9t\u00e9.jpg"}'.encode(),
     "application/json", 400, "ASCII"),
    ("a URL whose host is written in other letters", '{"url": "https://pbs.tw\u0456mg.com/media/a.jpg"}'.encode(),
     "application/json", 400, "ASCII"),
    ("JSON that does not parse", b'{"url": ', "application/json", 400, "JSON"),
    ("JSON without a url", b'{"photo": "x"}', "application/json", 400, "url"),
    ("k=0", b'{"url": "https://pbs.twimg.com/media/a.jpg", "k": 0}', "application/json", 400, "k"),
    ("k=1000", b'{"url": "https://pbs.twimg.com/media/a.jpg", "k": 1000}', "application/json", 400, "k"),
    ("a sideways photo whose EXIF has a mistyped tag", jpeg_with_exif(MISTYPED_EXIF), "image/jpeg", 400, "EXIF"),
    ("JSON nested 100,000 deep", DEEP_JSON, "application/json", 400, "JSON"),
    ("a 50 MB body", b"\xff\xd8\xff" + bytes(50 * 1024 * 1024), "image/jpeg", 413, "MB"),
]

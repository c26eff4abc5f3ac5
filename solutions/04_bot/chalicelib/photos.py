"""Downloading a tweet's photo: https, X's media host only, a size cap and a timeout."""
from urllib.parse import urlsplit, urlunsplit

import requests

PHOTO_HOSTS = ("pbs.twimg.com",)
MAX_PHOTO_BYTES = 5 * 1024 * 1024  # X's own limit for a photo
TIMEOUT = (3.05, 5)  # seconds to connect, seconds between bytes


class PhotoUnavailable(Exception):
    """The photo can never be fetched (wrong host, gone, too big): the tweet cannot be answered."""


def checked_photo_url(url):
    """`url` rebuilt from its parts if it is an https URL on X's media host, else None.

    Parsed once, and the rebuilt URL is the one to fetch: urllib and requests read odd URLs differently
    ("https://127.0.0.1:1\\@pbs.twimg.com/x.jpg"), so backslashes, a user, a password or a port are refused.
    """
    if not isinstance(url, str) or "\\" in url or not url.isprintable():
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # "https://[pbs.twimg.com/a": not a URL at all
        return None
    host = parts.hostname
    if parts.scheme != "https" or host not in PHOTO_HOSTS or parts.netloc.lower() != host:
        return None
    return urlunsplit(("https", host, parts.path, parts.query, ""))


def download(url):
    """The photo's bytes. Raises PhotoUnavailable for what retrying cannot fix, requests' errors otherwise."""
    checked = checked_photo_url(url)
    if checked is None:
        raise PhotoUnavailable(f"not an https photo on {', '.join(PHOTO_HOSTS)}: {url!r}")
    with requests.get(checked, stream=True, timeout=TIMEOUT, allow_redirects=False) as response:
        if response.status_code == 429 or response.status_code >= 500:
            response.raise_for_status()  # X's media host is busy: worth another try later
        if response.status_code != 200:
            raise PhotoUnavailable(f"X's media host answered {response.status_code} for {url}")
        photo = bytearray()
        for chunk in response.iter_content(64 * 1024):
            photo += chunk
            if len(photo) > MAX_PHOTO_BYTES:
                raise PhotoUnavailable(f"the photo at {url} is larger than {MAX_PHOTO_BYTES // 2**20} MB")
    return bytes(photo)

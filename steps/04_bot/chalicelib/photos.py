"""Downloading a tweet's photo: https, X's media host only, a size cap and a timeout."""
from urllib.parse import urlparse

import requests

PHOTO_HOSTS = ("pbs.twimg.com",)
MAX_PHOTO_BYTES = 5 * 1024 * 1024  # X's own limit for a photo
TIMEOUT = (3.05, 10)  # seconds to connect, seconds between bytes


class PhotoUnavailable(Exception):
    """The photo can never be fetched (wrong host, gone, too big): the tweet cannot be answered."""


def is_x_photo(url):
    """True for an https URL on X's media host: the only photos the bot downloads."""
    if not isinstance(url, str):
        return False
    parts = urlparse(url)
    return parts.scheme == "https" and parts.hostname in PHOTO_HOSTS


def download(url):
    """The photo's bytes. Raises PhotoUnavailable for what retrying cannot fix, requests' errors otherwise."""
    if not is_x_photo(url):
        raise PhotoUnavailable(f"not an https photo on {', '.join(PHOTO_HOSTS)}: {url!r}")
    with requests.get(url, stream=True, timeout=TIMEOUT, allow_redirects=False) as response:
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

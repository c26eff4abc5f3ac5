"""Fetch a photo from a URL, but only over https, only from allowed hosts, only from public addresses, size-capped.

An endpoint that fetches any URL it is sent can be made to reach what only it can reach (the instance metadata
service, a private network). So: the host must be on the allow-list (WHEREML_URL_HOSTS, comma-separated; default the
X media host), every address it resolves to must be public, and the download connects to the address that was checked.
"""
import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

from refusal import Refused

HOSTS_VARIABLE = "WHEREML_URL_HOSTS"
DEFAULT_HOSTS = "pbs.twimg.com"
TIMEOUT_SECONDS = 10.0
CHUNK_BYTES = 64 * 1024
TOO_SLOW = "The photo URL took too long to answer: try again or send the bytes."
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def allowed_hosts():
    return {host.strip().lower() for host in os.environ.get(HOSTS_VARIABLE, DEFAULT_HOSTS).split(",") if host.strip()}


def fetch(url, max_bytes, timeout=TIMEOUT_SECONDS):
    """The bytes at `url`, or Refused(400/413) saying why not."""
    if not url.isascii():  # http.client would fail on it later, and a look-alike host name could pass for another
        raise Refused(400, "The photo URL has characters that are not ASCII: send it percent-encoded, as X's links "
                           "are.")
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        raise Refused(400, "The photo URL does not parse: send a plain https:// link.")
    if parts.scheme != "https" or not parts.hostname:
        raise Refused(400, "Only https:// photo URLs are fetched: send an https link or the photo's bytes.")
    if parts.hostname.lower() not in allowed_hosts():
        hosts = ", ".join(sorted(allowed_hosts()))
        raise Refused(400, "Photos are fetched only from {}: send the photo's bytes instead.".format(hosts))
    return download(url, public_address(parts.hostname, port), max_bytes, timeout)


def public_address(host, port):
    """The first address `host` resolves to, if every one of them is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(400, "The photo URL's host {} does not resolve: check the link.".format(host))
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        if not all(part.is_global for part in _with_embedded_ipv4(ipaddress.ip_address(address.split("%")[0]))):
            raise Refused(400, "The photo URL's host resolves to a private address: send a public link.")
    return addresses[0]


def _with_embedded_ipv4(address):
    """The address, and the IPv4 address inside it when it is an IPv6 form that reaches one (::ffff:a.b.c.d,
    ::a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4 2002:aabb:ccdd::): each must be public."""
    if address.version == 4:
        return [address]
    embedded = [address.ipv4_mapped, address.sixtofour]
    if address in NAT64 or address in IPV4_COMPATIBLE:
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))  # its last 32 bits
    return [address] + [inner for inner in embedded if inner is not None]


def download(url, address, max_bytes, timeout=TIMEOUT_SECONDS, context=None):
    """GET `url` from `address` (TLS still checks the URL's host name), within `timeout` seconds and `max_bytes`."""
    parts = urlsplit(url)
    port = parts.port or 443
    context = context or ssl.create_default_context()
    deadline = time.monotonic() + timeout
    connection = http.client.HTTPSConnection(parts.hostname, port, timeout=timeout, context=context)
    try:
        raw = socket.create_connection((address, port), timeout)
        connection.sock = secure = context.wrap_socket(
            raw, server_hostname=parts.hostname, do_handshake_on_connect=False
        )
        # A socket timeout bounds each wait, not their sum: at the deadline this cuts the connection, whatever phase
        # (handshake, headers, body) a drip-feeding server has reached.
        left = max(0.0, deadline - time.monotonic())
        cut_off = threading.Timer(left, socket.socket.shutdown, [secure, socket.SHUT_RDWR])
        cut_off.start()
        try:
            secure.do_handshake()
            path = parts.path or "/"
            connection.request("GET", path + ("?" + parts.query if parts.query else ""), headers={"Accept": "image/*"})
            response = connection.getresponse()
            if response.status != 200:
                raise Refused(400, "The photo URL answered HTTP {}: check the link.".format(response.status))
            return _read_capped(secure, response, max_bytes, deadline)
        finally:
            cut_off.cancel()
    except (OSError, http.client.HTTPException) as error:
        if isinstance(error, socket.timeout) or time.monotonic() >= deadline:
            raise Refused(400, TOO_SLOW)
        raise Refused(400, "The photo could not be fetched ({}): check the link or send the bytes.".format(error))
    finally:
        connection.close()


def _read_capped(sock, response, max_bytes, deadline):
    too_big = Refused(413, "The photo at that URL is over {} MB: link a smaller one.".format(max_bytes >> 20))
    if (response.length or 0) > max_bytes:  # http.client's reading of Content-Length (None if absent or bad)
        raise too_big
    chunks, size = [], 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Refused(400, TOO_SLOW)
        sock.settimeout(left)
        chunk = response.read1(CHUNK_BYTES)  # whatever has arrived, so a slow server cannot outlast the deadline
        if not chunk and time.monotonic() >= deadline:
            raise Refused(400, TOO_SLOW)  # cut off at the deadline, not the end of the photo
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise too_big
        chunks.append(chunk)

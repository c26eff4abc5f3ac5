"""fetch.py: photo URLs are fetched over https only, from allowed hosts on public addresses, capped and timed."""
import datetime
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

HOST = "pbs.twimg.com"


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A self-signed certificate for pbs.twimg.com: (server context, client context that trusts it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return server, ssl.create_default_context(cafile=str(folder / "cert.pem"))


class Photos(BaseHTTPRequestHandler):
    """/photo.jpg: 1 kB; /huge.jpg: 7 MB; /slow.jpg: a byte every 0.2 s; /slow-headers.jpg: its headers a line
    every 0.2 s; anything else: 404."""

    def do_GET(self):
        if self.path == "/slow-headers.jpg":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for number in range(40):
                self.wfile.write(f"X-Slow-{number}: 1\r\n".encode())
                self.wfile.flush()
                time.sleep(0.2)
            return
        if self.path not in ("/photo.jpg", "/huge.jpg", "/slow.jpg"):
            self.send_error(404)
            return
        size = {"/photo.jpg": 1000, "/huge.jpg": 7 * 1024 * 1024, "/slow.jpg": 100}[self.path]
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if self.path == "/slow.jpg":
            for _ in range(size):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)
        else:
            self.wfile.write(b"x" * size)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def photo_server(tls):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Photos)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # clients that hang up on purpose are not news
    server.socket = tls[0].wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://{HOST}:{server.server_address[1]}"
    server.shutdown()


def test_a_photo_is_downloaded_from_the_checked_address(host, photo_server, tls):
    got = host("fetch").download(photo_server + "/photo.jpg", "127.0.0.1", 6_000_000, context=tls[1])
    assert got == b"x" * 1000


@pytest.mark.parametrize(
    "path, timeout, status, word",
    [
        ("/huge.jpg", 10, 413, "MB"),  # over the cap: refused, not read into memory
        ("/slow.jpg", 1, 400, "too long"),  # a server that drips bytes must not hold the endpoint
        ("/slow-headers.jpg", 1, 400, "too long"),  # nor one that drips its headers
        ("/gone.jpg", 10, 400, "404"),
    ],
    ids=["a photo over the size cap", "a server slower than the timeout", "headers slower than the timeout",
         "a link that answers 404"],
)
def test_downloads_that_would_hurt_are_refused(host, photo_server, tls, path, timeout, status, word):
    fetch, refused = host("fetch"), host("refusal").Refused
    started = time.monotonic()
    with pytest.raises(refused) as caught:
        fetch.download(photo_server + path, "127.0.0.1", 6 * 1024 * 1024, timeout=timeout, context=tls[1])
    assert caught.value.status_code == status and word in caught.value.sentence
    assert time.monotonic() - started < timeout + 2, "the timeout bounds the whole download"


def test_the_certificate_is_checked_against_the_url_host(host, photo_server):
    with pytest.raises(host("refusal").Refused) as caught:
        host("fetch").download(photo_server + "/photo.jpg", "127.0.0.1", 1000)  # the system's CAs: untrusted
    assert caught.value.status_code == 400


PRIVATE_ADDRESSES = [  # (what it is, the address)
    ("loopback", "127.0.0.1"), ("a private network", "10.1.2.3"), ("a private network", "172.16.0.1"),
    ("a home network", "192.168.1.1"), ("the instance metadata service", "169.254.169.254"),
    ("IPv6 loopback", "::1"), ("an IPv6 private network", "fd00::1"),
    ("IPv4-mapped loopback", "::ffff:127.0.0.1"), ("IPv4-compatible loopback", "::127.0.0.1"),
    ("the metadata service through NAT64", "64:ff9b::a9fe:a9fe"), ("the metadata service as 6to4", "2002:a9fe:a9fe::"),
]


@pytest.mark.parametrize("address", [row[1] for row in PRIVATE_ADDRESSES], ids=[row[0] for row in PRIVATE_ADDRESSES])
def test_private_and_loopback_addresses_are_refused(host, address):
    with pytest.raises(host("refusal").Refused, match="private"):
        host("fetch").public_address(address, 443)


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808",
                                     "2002:808:808::"])
def test_public_addresses_in_any_form_are_fetched_from(host, address):
    assert host("fetch").public_address(address, 443) == address


def test_the_allow_list_comes_from_the_environment(host, monkeypatch):
    fetch = host("fetch")
    monkeypatch.delenv("WHEREML_URL_HOSTS")
    assert fetch.allowed_hosts() == {"pbs.twimg.com"}, "the default allow-list is X's media host"
    monkeypatch.setenv("WHEREML_URL_HOSTS", "pbs.twimg.com, Photos.Example.org")
    assert fetch.allowed_hosts() == {"pbs.twimg.com", "photos.example.org"}

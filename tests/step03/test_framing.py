"""serve.py reads HTTP as HTTP says: a body has one Content-Length (or is chunked), arrives in time, and nothing else
is guessed at.

Each row is what a broken or hostile client sends, byte for byte, and the status it must get (then the server closes
that connection, so no leftover bytes are read as a second request)."""
import json
import re
import socket
import urllib.request
from urllib.parse import urlsplit

import pytest

HEAD = "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n"
PING = "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n"
FRAMING = [  # (what the client did, the bytes it sent, the status, a word of the answer)
    ("a request line that is not HTTP", "WHERE IS THIS?\r\n\r\n", 400, "request line"),
    ("no Content-Length", HEAD + "\r\nhello", 411, "Content-Length"),
    ("Content-Length: abc", HEAD + "Content-Length: abc\r\n\r\nhello", 400, "whole number"),
    ("Content-Length: -1", HEAD + "Content-Length: -1\r\n\r\nhello", 400, "whole number"),
    ("a 5,000-digit Content-Length", HEAD + "Content-Length: " + "9" * 5000 + "\r\n\r\nhello", 400, "whole number"),
    ("two different Content-Lengths", HEAD + "Content-Length: 5\r\nContent-Length: 50\r\n\r\nhello", 400, "one"),
    ("a Transfer-Encoding other than chunked", HEAD + "Transfer-Encoding: gzip\r\n\r\nhello", 501, "Content-Length"),
    ("a Content-Length of 100 MB", HEAD + "Content-Length: 100000000\r\n\r\nhello", 413, "MB"),
    ("a body that stops coming", HEAD + "Content-Length: 5000\r\n\r\nhello", 408, "seconds"),
    ("headers that stop coming", HEAD + "Content-Length: 5", 408, "seconds"),
    # RFC 9112 section 6.1: a length said two ways is how requests are smuggled past a proxy; answer, then close.
    ("a Content-Length beside chunked, then a request after the body",
     HEAD + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + PING + "\r\n", 400,
     "Transfer-Encoding"),
    ("chunked before a Content-Length that covers a second request",
     HEAD + "Transfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n" + PING + "\r\n", 400,
     "Transfer-Encoding"),
    ("HTTP/1.0 keep-alive with a Transfer-Encoding and a Content-Length, then a request",
     HEAD.replace("HTTP/1.1", "HTTP/1.0") + "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n"
     "Content-Length: 5\r\n\r\nhello" + PING + "\r\n", 400, "Transfer-Encoding"),
]


def exchange(url, raw):
    """Send `raw` on a new connection, read until the server closes it: everything it answered."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as connection:
        connection.sendall(raw.encode("latin-1"))
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.decode("utf-8", "replace")


def ping(url):
    with urllib.request.urlopen(url + "/ping", timeout=10) as response:
        return response.status


@pytest.mark.parametrize("row", FRAMING, ids=[row[0] for row in FRAMING])
def test_badly_framed_requests_get_their_status_and_the_connection_closes(server, row):
    what, raw, status, word = row
    answer = exchange(server["url"], raw)
    assert re.match(rf"HTTP/1\.[01] {status} ", answer), f"{what}: expected HTTP {status}, got {answer[:40]!r}"
    assert len(re.findall(r"HTTP/1\.[01] \d{3} ", answer)) == 1, (
        f"{what}: the bytes after the headers must not be read as a new request"
    )
    body = answer.split("\r\n\r\n", 1)[1]
    assert word in json.loads(body.splitlines()[0])["error"], "the first line is the JSON error"
    assert ping(server["url"]) == 200, "the server answers the next client"


def test_a_get_with_a_body_is_answered_once(server):
    """Its Content-Length says where the next request begins: the body is not a request of its own."""
    smuggled = PING + "\r\n"
    answer = exchange(server["url"], f"{PING}Content-Length: {len(smuggled)}\r\n\r\n{smuggled}"
                                     f"{PING}Connection: close\r\n\r\n")
    assert answer.count("HTTP/1.1 200 ") == 2, (
        f"two requests were sent, a GET with a body and a last GET; the server answered {answer.count('HTTP/1.1 ')}"
    )


def test_a_chunked_photo_is_answered_as_one_with_a_content_length(server, big_jpeg):
    chunks = "".join(f"{len(part):x}\r\n" + part.decode("latin-1") + "\r\n"
                     for part in (big_jpeg[:1000], big_jpeg[1000:]))
    chunked = exchange(server["url"], f"{HEAD}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunks}0\r\n\r\n")
    plain = exchange(server["url"], f"{HEAD}Content-Length: {len(big_jpeg)}\r\nConnection: close\r\n\r\n"
                     + big_jpeg.decode("latin-1"))
    assert chunked.startswith("HTTP/1.1 200 "), f"a chunked body is HTTP/1.1: got {chunked[:40]!r}"
    assert chunked.split("\r\n\r\n", 1)[1] == plain.split("\r\n\r\n", 1)[1], "the same photo gets the same answer"


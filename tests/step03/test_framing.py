"""serve.py reads HTTP as HTTP says: a body has one Content-Length, arrives in time, and nothing else is guessed at.

Each row is what a broken or hostile client sends, byte for byte, and the status it must get (then the server closes
that connection, so no leftover bytes are read as a second request)."""
import json
import socket
import urllib.request
from urllib.parse import urlsplit

import pytest

HEAD = "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n"
FRAMING = [  # (what the client did, the bytes it sent, the status, a word of the answer)
    ("a chunked body", HEAD + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411, "Content-Length"),
    ("no Content-Length", HEAD + "\r\nhello", 411, "Content-Length"),
    ("Content-Length: abc", HEAD + "Content-Length: abc\r\n\r\nhello", 400, "whole number"),
    ("Content-Length: -1", HEAD + "Content-Length: -1\r\n\r\nhello", 400, "whole number"),
    ("two different Content-Lengths", HEAD + "Content-Length: 5\r\nContent-Length: 50\r\n\r\nhello", 400, "one"),
    ("a body that stops coming", HEAD + "Content-Length: 5000\r\n\r\nhello", 408, "seconds"),
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


@pytest.mark.parametrize("row", FRAMING, ids=[row[0] for row in FRAMING])
def test_badly_framed_requests_get_their_status_and_the_connection_closes(server, row):
    what, raw, status, word = row
    answer = exchange(server["url"], raw)
    assert answer.startswith(f"HTTP/1.1 {status} "), f"{what}: expected HTTP {status}, got {answer[:40]!r}"
    assert answer.count("HTTP/1.1 ") == 1, f"{what}: the bytes after the headers must not be read as a new request"
    body = answer.split("\r\n\r\n", 1)[1]
    assert word in json.loads(body.splitlines()[0])["error"], "the first line is the JSON error"
    with urllib.request.urlopen(server["url"] + "/ping", timeout=10) as response:
        assert response.status == 200, "the server answers the next client"

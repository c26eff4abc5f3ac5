"""serve.py under load on 127.0.0.1: every one of hundreds of concurrent clients is answered, memory stays flat, and
clients that drip their bytes or hold idle connections keep no one else waiting.

Bounded: 500 requests of a small photo, each on a new connection, in waves of 200 and 100; 20 dripping clients for at
most 15 s; 300 idle keep-alive connections. A few seconds each."""
import contextlib
import http.client
import re
import select
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest

MB = 1024 * 1024


def ask(url, body):
    """One POST on a new connection -> its status, or the error that stopped it."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("POST", "/invocations", body, {"Content-Type": "image/jpeg"})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError as error:
        return type(error).__name__
    finally:
        connection.close()


def wave(url, body, clients):
    """`clients` requests started together (each waits at a barrier until all are ready to connect)."""
    start = threading.Barrier(clients)

    def one(_):
        start.wait()
        return ask(url, body)

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, range(clients)))


def resident_mb(process):
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024


def test_200_concurrent_clients_are_all_answered(server, val_photos):
    statuses = wave(server["url"], val_photos[0][0], 200)
    assert statuses == [200] * 200, (
        f"{statuses.count(200)} of 200 answered, the others got {sorted(set(statuses) - {200})}: accept connections "
        "and queue their requests for the model, each as it arrives whole"
    )


def test_memory_stays_flat_over_hundreds_of_new_connections(server, val_photos):
    wave(server["url"], val_photos[0][0], 100)  # the pools' threads exist now
    before = resident_mb(server["process"])
    for _ in range(2):
        assert wave(server["url"], val_photos[0][0], 100) == [200] * 100
    grown = resident_mb(server["process"]) - before
    assert grown < 40, (
        f"serve.py grew by {grown:.0f} MB over 200 requests: MXNet keeps memory for each thread that runs the "
        "network, so run it on threads that live for good (a fixed pool), not a new thread per connection"
    )


POST = b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n"
PING = b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def drip(url, first, then, every=1.0, times=15):
    """A client that sends `first`, then `then` every `every` seconds until the server answers or closes: (seconds
    from its first byte to the server's answer, what the server answered)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        began = time.monotonic()
        connection.sendall(first)
        for _ in range(times):
            if select.select([connection], [], [], every)[0]:
                break
            try:
                connection.sendall(then)
            except OSError:  # the server closed it
                break
        answer = b""
        with contextlib.suppress(OSError):
            while chunk := connection.recv(65536):
                answer += chunk
        return time.monotonic() - began, answer


def test_dripping_clients_are_cut_off_at_their_deadline_and_hold_no_one_up(server, val_photos):
    """20 clients drip a header line or a body byte every second; the tests' --read-timeout is 2 s."""
    url = server["url"]
    with ThreadPoolExecutor(20) as pool:
        drippers = [pool.submit(drip, url, POST, b"X-Drip: 1\r\n") for _ in range(10)]
        drippers += [pool.submit(drip, url, POST + b"Content-Length: 100\r\n\r\n", b"x") for _ in range(10)]
        time.sleep(1.5)
        began = time.monotonic()
        status = ask(url, val_photos[0][0])
        took = time.monotonic() - began
        dripped = [dripper.result() for dripper in drippers]
    assert status == 200 and took < 5, (
        f"a whole request waited {took:.0f} s (status {status}) behind 20 slow clients: read connections as their "
        "bytes come, answer requests that have arrived whole"
    )
    late = sorted(round(seconds) for seconds, _ in dripped if seconds > 8)
    assert not late, (
        f"{len(late)} of 20 dripping clients were still being read after {late} s: a request has --read-timeout "
        "seconds from its first byte, not from its last"
    )
    statuses = [re.match(rb"HTTP/1\.[01] (\d+) ", answer) for _, answer in dripped]
    assert all(status and status.group(1) == b"408" for status in statuses), "a request too slow to arrive gets 408"


def test_hundreds_of_idle_keep_alive_clients_do_not_starve_a_new_one(server, val_photos):
    parts = urlsplit(server["url"])
    idle = []
    try:
        for _ in range(300):
            idle.append(socket.create_connection((parts.hostname, parts.port), timeout=30))
            idle[-1].sendall(PING)  # answered, then the connection stays open, idle
        began = time.monotonic()
        status = ask(server["url"], val_photos[0][0])
        took = time.monotonic() - began
        answers = {connection: b"" for connection in idle}
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not all(answers.values()):
            for connection in select.select([c for c, answer in answers.items() if not answer], [], [], 1)[0]:
                with contextlib.suppress(OSError):
                    answers[connection] = connection.recv(65536) or b"closed"
    finally:
        for connection in idle:
            connection.close()
    assert status == 200 and took < 5, (
        f"a new client waited {took:.0f} s (status {status}) behind 300 idle keep-alive connections: an idle "
        "connection must not hold a thread"
    )
    answered = sum(answer.startswith(b"HTTP/1.1 200 ") for answer in answers.values())
    assert answered == 300, f"{answered} of the 300 keep-alive clients' pings were answered"


def post_large(url, chunked, size):
    """POST `size` bytes of a photo too large, with a Content-Length or chunked: the status line it hears."""
    parts = urlsplit(url)
    head = POST + (b"Transfer-Encoding: chunked\r\n\r\n" if chunked else b"Content-Length: %d\r\n\r\n" % size)
    block = b"\xff" * MB
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as connection:
        try:
            connection.sendall(head)
            for _ in range(size // MB):
                connection.sendall(b"%x\r\n%s\r\n" % (MB, block) if chunked else block)
            if chunked:
                connection.sendall(b"0\r\n\r\n")
            return connection.recv(200).split(b"\r\n")[0].decode()
        except OSError as error:
            return type(error).__name__


@contextlib.contextmanager
def peak_resident_mb(process):
    """The most the process held while the block ran, sampled every 20 ms: [MB] once the block ends."""
    peak, done = [resident_mb(process)], threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], resident_mb(process))

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


@pytest.mark.parametrize("chunked", [False, True], ids=["with a Content-Length", "chunked, without one"])
def test_sixteen_concurrent_60_mb_bodies_are_refused_and_memory_stays_flat(patient_server, chunked):
    """On a serve.py that gives a client a minute to send its request: 960 MB take a while on a busy laptop."""
    server = patient_server
    before = resident_mb(server["process"])
    with peak_resident_mb(server["process"]) as peak, ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: post_large(server["url"], chunked, 60 * MB), range(16)))
    assert all(answer.startswith("HTTP/1.1 413 ") for answer in answers), f"each body over 6 MB is a 413: {answers}"
    grown = peak[0] - before
    assert grown < 50, (
        f"serve.py grew by {grown:.0f} MB while 16 clients sent 60 MB each: refuse from the Content-Length, keep no "
        "more than 6 MB of a chunked body, and drop the rest as it arrives"
    )

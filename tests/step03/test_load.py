"""serve.py under load on 127.0.0.1: every one of hundreds of concurrent clients is answered, and memory stays flat.

Bounded: 500 requests of a small photo, each on a new connection, in waves of 200 and 100, a few seconds in all."""
import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

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
        "with a real listen backlog (request_queue_size) and serve them from a pool of threads"
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

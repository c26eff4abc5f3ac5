"""moto's server on 127.0.0.1: one for the whole test session (tests/conftest.py's `moto_server` fixture), for code
that must reach AWS over HTTP (another process, an unsigned GET of a public object, `chalice deploy`)."""
import contextlib
import urllib.request


@contextlib.contextmanager
def running():
    """moto's server on a free 127.0.0.1 port, for the block: its URL."""
    from moto.server import ThreadedMotoServer  # imported here: a third of a second, and most runs never start it

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        yield "http://{}:{}".format(*server.get_host_and_port())
    finally:
        server.stop()


def emptied(url):
    """`url`, its server holding nothing: moto keeps what it emulates per process, not per server, so each user starts
    from none."""
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST")).close()
    return url

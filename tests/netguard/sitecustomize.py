"""Loaded by every Python the test suite starts (PYTHONPATH): no connection or name lookup may leave this machine.

Why the children need it: the tests run scripts, servers and make in processes of their own (serve.py, a step's
main, the demo, chalice package), and a guard that lives in the test process (tests/conftest.py runs this file there
too; a plugin such as pytest-socket works the same way) does not follow them; Python reads sitecustomize in each."""
import ipaddress
import socket

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo
REFUSAL = (
    "The tests must not reach the network, but this tried to {}. "
    "Stand in for AWS with moto and for X with `responses`."
)


def _is_local_name(host):
    """No lookup leaves the machine for these: no host, a numeric address (checked on connect), or localhost."""
    if not host:
        return True
    host = host.decode() if isinstance(host, bytes) else str(host)
    try:
        ipaddress.ip_address(host.split("%")[0])
        return True
    except ValueError:
        return host == "localhost"


def _check(sock, address):
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    host = address[0]
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise ConnectionRefusedError(REFUSAL.format(f"connect to {host}:{address[1]}"))


def _guarded_connect(self, address):
    _check(self, address)
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    _check(self, address)
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if not _is_local_name(host):
        raise socket.gaierror(socket.EAI_NONAME, REFUSAL.format(f"look up {host}"))
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex
socket.getaddrinfo = _guarded_getaddrinfo

"""The network guard: nothing under test may connect anywhere but this machine, in this process or a child."""
import socket
import subprocess
import sys

import pytest

MESSAGE = "The tests must not reach the network"


@pytest.mark.parametrize("address", [("192.0.2.1", 443), ("api.twitter.com", 443), ("8.8.8.8", 53)])
def test_a_connection_off_this_machine_is_refused_with_a_clear_message(address):
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match=MESSAGE):
        sock.connect(address)


def test_connect_ex_is_guarded_too():
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match=MESSAGE):
        sock.connect_ex(("192.0.2.1", 80))


def test_a_name_lookup_off_this_machine_is_refused():
    with pytest.raises(socket.gaierror, match=MESSAGE):
        socket.getaddrinfo("pbs.twimg.com", 443)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1", None])
def test_local_and_numeric_lookups_are_allowed(host):
    try:
        socket.getaddrinfo(host, 80)
    except socket.gaierror as error:
        assert MESSAGE not in str(error)


@pytest.mark.parametrize("family, host", [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET, "localhost"),
                                          (socket.AF_INET6, "::1")])
def test_loopback_is_allowed(family, host):
    try:
        server = socket.socket(family)
        server.bind((host, 0))
    except OSError:
        pytest.skip(f"{host} is not available on this machine")
    with server:
        server.listen()
        with socket.socket(family) as client:
            client.connect((host, server.getsockname()[1]))


def test_a_python_started_by_a_test_is_guarded_too():
    code = "import socket; socket.socket().connect(('192.0.2.1', 443))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and MESSAGE in result.stderr

"""waitress_server.py (serve.py's server) bounds slow clients by subclassing waitress (Request, UnreadableAnswer, Connection, Server): waitress has no
public hook for a request that drips in a byte at a time, so it relies on names inside it. This file fails,
naming what moved, when waitress changes under it; check waitress_server.py against the new version before changing the pin."""
import importlib.metadata
import inspect

import pytest
import waitress.server
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask

WRITTEN_FOR = "3.0.2"  # the waitress of requirements.txt that serve.py's subclasses were written against

USED = [  # (class, attribute serve.py reads, overrides or calls)
    (HTTPChannel, "parser_class"), (HTTPChannel, "error_task_class"), (HTTPChannel, "received"),
    (HTTPRequestParser, "parse_header"), (ErrorTask, "execute"), (ErrorTask, "set_close_on_finish"),
    (ErrorTask, "write"), (TcpWSGIServer, "channel_class"), (TcpWSGIServer, "maintenance"), (TcpWSGIServer, "close"),
    (TcpWSGIServer, "add_task"),
]


def test_the_waitress_installed_is_the_one_serve_py_was_written_for():
    assert importlib.metadata.version("waitress") == WRITTEN_FOR, (
        "waitress changed: serve.py subclasses its channel, parser, error task and server (slow clients get a 408); "
        "check those against the new version, then update WRITTEN_FOR")


@pytest.mark.parametrize("owner, name", USED, ids=[f"{owner.__name__}.{name}" for owner, name in USED])
def test_what_serve_py_relies_on_is_still_there(owner, name):
    assert hasattr(owner, name), f"waitress's {owner.__name__} has no {name} any more: serve.py relies on it"


@pytest.mark.parametrize("function, arguments", [
    (HTTPChannel.received, ["self", "data"]),
    (HTTPRequestParser.parse_header, ["self", "header_plus"]),
    (TcpWSGIServer.maintenance, ["self", "now"]),
], ids=["received", "parse_header", "maintenance"])
def test_the_methods_serve_py_overrides_take_the_same_arguments(function, arguments):
    assert list(inspect.signature(function).parameters) == arguments, f"waitress changed {function.__qualname__}"


def test_the_state_serve_py_reads_is_set_where_it_looks():
    """What serve.py reads of a live parser, and what waitress's channel and server set up in their code."""
    parser = inspect.getsource(HTTPRequestParser)
    for name in ("error", "completed", "chunked", "command", "headers"):
        assert f"self.{name} =" in parser or f"\n    {name} =" in parser, (
            f"waitress's request parser no longer sets {name}: serve.py reads it")
    channel = inspect.getsource(HTTPChannel)
    for name in ("request", "requests", "requests_lock", "server"):
        assert f"self.{name} =" in channel or f"\n    {name} =" in channel, (
            f"waitress's channel no longer sets {name}: serve.py reads it")
    server = inspect.getsource(waitress.server)
    for name in ("active_channels", "task_dispatcher", "self.adj"):
        assert name in server, f"waitress's server no longer has {name}: serve.py reads it"

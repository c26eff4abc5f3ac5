"""Watching or changing what the code under test's boto3 clients send and receive, through botocore's own event
system (https://boto3.amazonaws.com/v1/documentation/api/latest/guide/events.html): the code makes its own sessions,
so the handler goes into the list every new botocore session registers, as moto's own handler does."""

import botocore.handlers


def on_every_new_session(monkeypatch, event, handler):
    """For the rest of the test, each boto3/botocore session made from now on calls `handler` on `event`."""
    monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS", [*botocore.handlers.BUILTIN_HANDLERS, (event, handler)])


def record_requests(monkeypatch):
    """A list that gets (operation, its parameters) of each request the code makes, as the SDK sends it."""
    sent = []

    def record(params, model, **_):
        sent.append((model.name, dict(params)))

    on_every_new_session(monkeypatch, "provide-client-params", record)
    return sent

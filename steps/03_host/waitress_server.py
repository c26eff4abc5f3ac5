"""serve.py's HTTP server: waitress, with the limits an endpoint on a laptop needs and waitress has no setting for.

waitress has no public hook for these, so the classes below subclass its parser, channel, error task and server
(tests/step03/test_waitress_internals.py fails, naming what moved, when a new waitress changes what they rely on):
- a request must arrive whole within a deadline of its first byte (408), however steadily its bytes drip in;
- a POST needs a length (411) and says it one way (400: RFC 9112 section 6.1), a body over MAX_BYTES is refused (413)
  from its Content-Length, or once a chunked body passes it, and what follows is dropped as it arrives;
- two threads of their own answer GET /ping and every refusal, so the health check never waits behind the model,
  and new work gets 503 while the model is stuck or QUEUE requests already wait for it.
The Endpoint (serve.py) says which requests are the model's work: `is_model_work(method, path)`.
"""
import json
import time

from photo import MAX_BYTES
from waitress.adjustments import Adjustments
from waitress.buffers import OverflowableBuffer
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher
from waitress.utilities import BadRequest, Error, RequestEntityTooLarge

JSON = "application/json"
THREADS = 16
QUICK_THREADS = 2  # for /ping and refusals: they never wait for the model
QUEUE = 256  # requests that may wait for a thread to the model; past that, new work is answered 503 at once
READ_TIMEOUT_SECONDS = 10
CONNECTION_LIMIT = 1000  # open connections; past it, new ones wait until idle ones time out
# A body over MAX_BYTES is refused, and is still read to its end (dropped as it comes) so that a client still sending
# it hears the 413; past this, the connection is closed at once.
READ_BODY_LIMIT = 64 * 1024 * 1024
# What waitress answers a request it could not read, as one JSON sentence: {status: sentence}.
UNREADABLE = {
    400: "The request is not valid HTTP ({}): check its request line and headers; a body needs one Content-Length, "
         "a whole number of bytes.",
    408: "The request did not arrive within {} seconds of its first byte: send it again.",
    411: "Send the body with a Content-Length header.",
    413: f"The body is over {MAX_BYTES >> 20} MB: send a smaller photo.",
    431: "The request's headers are too large: send the photo with a few short headers.",
    501: "The body's Transfer-Encoding is not understood ({}): send it with a Content-Length.",
}


class RequestTimeout(Error):
    code = 408
    reason = "Request Timeout"


class LengthRequired(Error):
    code = 411
    reason = "Length Required"


class ServiceUnavailable(Error):
    code = 503
    reason = "Service Unavailable"


class Body(OverflowableBuffer):
    """A request's body as waitress keeps it (in memory, then in a temporary file), up to MAX_BYTES: past that, what
    arrives is dropped, so a body too large costs no memory while its client sends the rest and then hears the 413."""

    too_large = False

    def append(self, data):
        if self.too_large or len(self) + len(data) > MAX_BYTES:
            self.too_large = True
        else:
            super().append(data)


class Request(HTTPRequestParser):
    """waitress's reading of a request, with its body kept in a Body, and refusals more: a POST without a length, a
    5,000-digit length, a body too large, and a length said two ways (RFC 9112 section 6.1: a request smuggler's
    trick)."""

    def parse_header(self, header_plus):
        try:
            super().parse_header(header_plus)
        except ValueError:  # int() refuses a Content-Length of over 4,300 digits
            raise ParsingError("Content-Length is invalid")
        # waitress reads a chunked body and ignores the Content-Length beside it, then reads on: answer, then close.
        # HTTP/1.0 has no Transfer-Encoding, so there it is the same doubt.
        transfer_encoding = self.chunked or "TRANSFER_ENCODING" in self.headers
        if transfer_encoding and ("CONTENT_LENGTH" in self.headers or self.version == "1.0"):
            self.error = BadRequest("a Transfer-Encoding with a Content-Length, or on HTTP/1.0")
            self.completed = True  # nothing after the headers is read as a body, or as another request
            return
        if self.command == "POST" and not self.chunked and "CONTENT_LENGTH" not in self.headers:
            self.error = LengthRequired("")  # whatever follows may be its body: answer, then close
        if self.body_rcv is not None:
            self.body_rcv.buf = Body(self.adj.inbuf_overflow)
            self.body_rcv.buf.too_large = self.content_length > MAX_BYTES  # refused from its length: nothing kept

    def received(self, data):
        consumed = super().received(data)
        if self.completed and self.error is None and self.body_rcv is not None and self.body_rcv.buf.too_large:
            self.error = RequestEntityTooLarge("")
        return consumed


class UnreadableAnswer(ErrorTask):
    """waitress's answer to a request it could not read (or that the server refuses), as a JSON sentence."""

    def execute(self):
        error = self.request.error
        self.status = f"{error.code} {error.reason}"
        body = error_body(UNREADABLE.get(error.code, "{}").format(error.body))
        self.response_headers.append(("Content-Type", JSON))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class Connection(HTTPChannel):
    """One client's connection. waitress's channel timeout restarts with every byte, so a client dripping a byte a
    second would hold its connection for ever: note when each request began, for the server's deadline."""

    parser_class = Request
    error_task_class = UnreadableAnswer
    request_began = None

    def received(self, data):
        arriving = self.request
        result = super().received(data)
        if self.request is None:
            self.request_began = None
        elif self.request is not arriving:
            self.request_began = time.monotonic()
        return result

    def answer_late_request(self, seconds):
        """Answer the request still arriving with a 408 (then close), as if waitress had read it as an error."""
        with self.requests_lock:
            request, self.request, self.request_began = self.request, None, None
            request.error = RequestTimeout(seconds)
            request.completed = True
            self.requests.append(request)
        self.server.add_task(self)


class Server(TcpWSGIServer):
    """waitress's server, with two pools of threads: `task_dispatcher`'s answer the requests for the model (each
    waits its turn), `quick`'s answer the rest at once (GET /ping, refusals): the health check never waits behind
    the model."""

    channel_class = Connection
    # The Endpoint's Model, how many requests may wait for it, and which requests are its work (create sets them).
    model, queue, is_model_work = None, QUEUE, None

    def __init__(self, *args, **kwargs):
        self.quick = ThreadedTaskDispatcher()
        self.quick.set_thread_count(QUICK_THREADS)
        super().__init__(*args, **kwargs)

    def add_task(self, channel):
        """Hand a connection's next request to the threads that answer it. New work is refused with 503 here, at
        once, while the model is stuck on a late call or `queue` requests already wait for it."""
        request = channel.requests[0]
        if request.error is None and self.is_model_work(request.command, request.path):
            busy = self.model.stuck()
            if busy is None and len(self.task_dispatcher.queue) >= self.queue:
                busy = f"The model has {self.queue} requests waiting: try again in a few seconds."
            if busy is None:
                self.task_dispatcher.add_task(channel)
                return
            request.error = ServiceUnavailable(busy)
        self.quick.add_task(channel)

    def maintenance(self, now):
        """waitress closes connections idle for channel_timeout; this also answers a request that has been arriving
        for longer than that 408, however steadily its bytes drip in."""
        late = time.monotonic() - self.adj.channel_timeout
        for connection in list(self.active_channels.values()):
            if not connection.requests and connection.request_began is not None and connection.request_began < late:
                connection.answer_late_request(self.adj.channel_timeout)
        super().maintenance(now)  # skips the connections answered above

    def close(self):
        """Stop listening, and end the threads that answer requests (at most 5 s for one that waits for the model)."""
        super().close()
        self.task_dispatcher.shutdown()
        self.quick.shutdown()


def create(app, port=8080, threads=THREADS, read_timeout=READ_TIMEOUT_SECONDS, connection_limit=CONNECTION_LIMIT,
           queue=QUEUE):
    """A waitress server for the Endpoint `app` on 127.0.0.1:port, not yet running (`.run()`); `.effective_port` is
    its port."""
    adjustments = Adjustments(
        host="127.0.0.1", port=port, threads=threads, channel_timeout=read_timeout, cleanup_interval=1,
        connection_limit=connection_limit, asyncore_use_poll=True,  # select() stops at 1,024 connections
        max_request_body_size=READ_BODY_LIMIT, ident="whereml",
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(threads)
    server = Server(app, map={}, dispatcher=dispatcher, adj=adjustments)
    server.model, server.queue, server.is_model_work = app.model, queue, app.is_model_work
    return server


def error_body(sentence):
    """A refusal's body: one JSON sentence."""
    return json.dumps({"error": sentence}).encode("utf-8")

"""A SageMaker endpoint on your laptop: inference.py behind the real SageMaker MXNet handler service, on 127.0.0.1.

    python serve.py --model-dir build/model [--port 8080]        (--port 0 picks a free port)

It speaks the container contract (GET /ping, POST /invocations) and the runtime API's path
(POST /endpoints/<name>/invocations), so the real boto3 client reaches it:
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=http://127.0.0.1:8080 python predict.py photo.jpg
A fixed pool of threads reads requests (connections beyond it wait in the listen backlog) and one thread runs the
model, answering one request at a time as one model-server worker does. A body must come with a Content-Length and
arrive within --read-timeout seconds (411, 400 and 408 otherwise). Ctrl-C stops it.
"""
import argparse
import contextlib
import json
import re
import signal
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import handler
from photo import MAX_BYTES

RUNTIME_PATH = re.compile(r"^/endpoints/([^/]+)/invocations$")
MODEL_ERROR = "ModelError"
DIGITS = re.compile(r"[0-9]+")
CONNECTION_THREADS = 16
READ_TIMEOUT_SECONDS = 10.0


class Endpoint(HTTPServer):
    request_queue_size = 256  # the listen backlog: connections that wait while every thread is busy

    def __init__(self, model_dir, port=8080, threads=CONNECTION_THREADS, read_timeout=READ_TIMEOUT_SECONDS):
        self.model_dir = str(model_dir)
        self.service = handler.start(self.model_dir)
        self.read_timeout = read_timeout
        self.connections = ThreadPoolExecutor(threads, thread_name_prefix="connection")
        self.open_connections = set()  # their sockets: a stop closes them, keep-alive ones waiting for a request too
        self.open_connections_lock = threading.Lock()
        # MXNet keeps memory for every thread that ever ran a network: one thread runs it, for good.
        self.model = ThreadPoolExecutor(1, thread_name_prefix="model")
        super(Endpoint, self).__init__(("127.0.0.1", port), Requests)

    @property
    def url(self):
        return "http://127.0.0.1:{}".format(self.server_address[1])

    def invoke(self, body, content_type, accept):
        task = self.model.submit(handler.invoke, self.service, self.model_dir, body, content_type, accept)
        return task.result()

    def process_request(self, request, client_address):
        self.connections.submit(self._serve_connection, request, client_address)

    def _serve_connection(self, request, client_address):
        with self.open_connections_lock:
            self.open_connections.add(request)
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            with self.open_connections_lock:
                self.open_connections.discard(request)
            self.shutdown_request(request)

    def server_close(self):
        super(Endpoint, self).server_close()
        with self.open_connections_lock:  # else the process waits until each idle client's read timeout
            for request in self.open_connections:
                with contextlib.suppress(OSError):  # closed by its client meanwhile
                    request.shutdown(socket.SHUT_RDWR)
        self.connections.shutdown(wait=False, cancel_futures=True)
        self.model.shutdown(wait=False, cancel_futures=True)


class Requests(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        self.timeout = self.server.read_timeout  # for the request line, headers and body; an idle connection too
        super(Requests, self).setup()

    def do_GET(self):
        if self.path == "/ping":
            self._send(200, "application/json", b'{"status": "Healthy"}')
        else:
            self._send(404, "application/json", _error("There is nothing at {}: try GET /ping.".format(self.path)))

    def do_POST(self):
        runtime = RUNTIME_PATH.match(self.path)
        if self.path != "/invocations" and not runtime:
            return self._send(404, "application/json", _error("POST /invocations or /endpoints/<name>/invocations."))
        body = self._read_body()
        if isinstance(body, tuple):  # the body could not be read: say why, then close the connection
            self.close_connection = True
            answer = (body[0], "application/json", _error(body[1]))
        else:
            answer = self.server.invoke(body, self.headers.get("Content-Type"), self.headers.get("Accept"))
        if runtime:
            self._answer_as_runtime(*answer)
        else:
            self._send(*answer)

    def _answer_as_runtime(self, status, content_type, body):
        """What SageMaker's runtime API makes of the container's answer: the answer, or a ModelError (HTTP 424)."""
        if status == 200:
            return self._send(200, content_type, body, {"x-Amzn-Invoked-Production-Variant": "AllTraffic"})
        message = body.decode("utf-8", "replace")
        error = {
            "ErrorCode": "CLIENT_ERROR_FROM_MODEL" if status < 500 else "SERVER_ERROR_FROM_MODEL",
            "OriginalStatusCode": status,
            "OriginalMessage": message,
            "message": "Received {} error ({}) from primary with message \"{}\".".format(
                "client" if status < 500 else "server", status, message.splitlines()[0] if message else ""
            ),
        }
        self._send(424, "application/json", json.dumps(error).encode("utf-8"), {"x-amzn-ErrorType": MODEL_ERROR})

    def _read_body(self):
        """The request's body, or (status, sentence) when HTTP framing or the clock says it cannot be had."""
        lengths = self.headers.get_all("Content-Length") or []
        if self.headers.get("Transfer-Encoding") or not lengths:
            return 411, "Send the body with a Content-Length header (no chunked transfer encoding)."
        if len(set(lengths)) != 1 or not DIGITS.fullmatch(lengths[0].strip()):
            return 400, "Content-Length must be one whole number of bytes."
        length = int(lengths[0])
        try:
            if length > MAX_BYTES:
                self._discard(length)
                return 413, "The body is over {} MB: send a smaller photo.".format(MAX_BYTES >> 20)
            body = self.rfile.read(length)
        except TimeoutError:
            return 408, "The body did not arrive within {:g} seconds: send it again.".format(self.server.read_timeout)
        if len(body) < length:
            return 400, "The body is shorter than its Content-Length: send the whole body."
        return body

    def _discard(self, length):
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 20))
            if not chunk:
                return
            length -= len(chunk)

    def _send(self, status, content_type, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        sys.stderr.write("{} {}\n".format(self.log_date_time_string(), format % args))


def _error(sentence):
    return json.dumps({"error": sentence}).encode("utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=Path("build/model"), help="a model folder (make train)")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--threads", type=int, default=CONNECTION_THREADS, help="connections served at once")
    parser.add_argument("--read-timeout", type=float, default=READ_TIMEOUT_SECONDS,
                        help="seconds a client may take to send a request (408 after that)")
    args = parser.parse_args(argv)
    if not args.model_dir.is_dir():
        sys.exit("There is no model folder {}: `make train` makes build/model, `make checkpoint-step 3` makes "
                 "build/checkpoint/model (`make serve` takes whichever exists; MODEL=... names another).".format(
                     args.model_dir))
    try:
        endpoint = Endpoint(args.model_dir, args.port, args.threads, args.read_timeout)
    except (OSError, KeyError, ValueError) as error:
        sys.exit("Could not start on port {} with the model in {}: {}".format(args.port, args.model_dir, error))
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops as Ctrl-C does
    try:  # a stop may come as soon as the URL is out
        print("Serving {} on {} (Ctrl-C stops). Try:".format(args.model_dir, endpoint.url))
        print("  AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME={} python predict.py photo.jpg".format(endpoint.url), flush=True)
        endpoint.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.server_close()
    print("Stopped.", flush=True)


if __name__ == "__main__":
    main()

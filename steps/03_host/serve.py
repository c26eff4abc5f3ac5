"""A SageMaker endpoint on your laptop: inference.py behind the real SageMaker MXNet handler service, on 127.0.0.1.

    python serve.py --model-dir build/model [--port 8080]        (--port 0 picks a free port)

It speaks the container contract (GET /ping, POST /invocations) and the runtime API's path
(POST /endpoints/<name>/invocations), so the real boto3 client reaches it:
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=http://127.0.0.1:8080 python predict.py photo.jpg
Requests are read concurrently and answered one at a time, as one model-server worker does. Ctrl-C stops it.
"""
import argparse
import json
import re
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import handler
from photo import MAX_BYTES

RUNTIME_PATH = re.compile(r"^/endpoints/([^/]+)/invocations$")
MODEL_ERROR = "ModelError"


class Endpoint(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, model_dir, port=8080):
        self.model_dir = str(model_dir)
        self.service = handler.start(self.model_dir)
        self.lock = threading.Lock()
        super(Endpoint, self).__init__(("127.0.0.1", port), Requests)

    @property
    def url(self):
        return "http://127.0.0.1:{}".format(self.server_address[1])

    def invoke(self, body, content_type, accept):
        with self.lock:
            return handler.invoke(self.service, self.model_dir, body, content_type, accept)


class Requests(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/ping":
            self._send(200, "application/json", b'{"status": "Healthy"}')
        else:
            self._send(404, "application/json", _error("There is nothing at {}: try GET /ping.".format(self.path)))

    def do_POST(self):
        runtime = RUNTIME_PATH.match(self.path)
        if self.path != "/invocations" and not runtime:
            return self._send(404, "application/json", _error("POST /invocations or /endpoints/<name>/invocations."))
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BYTES:
            self._discard(length)
            too_big = "The body is over {} MB: send a smaller photo.".format(MAX_BYTES >> 20)
            answer = 413, "application/json", _error(too_big)
        else:
            body = self.rfile.read(length)
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
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        sys.stderr.write("{} {}\n".format(self.log_date_time_string(), format % args))


def _error(sentence):
    return json.dumps({"error": sentence}).encode("utf-8")


def _stop(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=Path("build/model"), help="a model folder (make train)")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    args = parser.parse_args(argv)
    if not args.model_dir.is_dir():
        sys.exit("There is no model folder {}: `make train` or `make checkpoint-step 3` makes one.".format(
            args.model_dir))
    try:
        endpoint = Endpoint(args.model_dir, args.port)
    except (OSError, KeyError, ValueError) as error:
        sys.exit("Could not start on port {} with the model in {}: {}".format(args.port, args.model_dir, error))
    signal.signal(signal.SIGTERM, _stop)
    print("Serving {} on {} (Ctrl-C stops). Try:".format(args.model_dir, endpoint.url))
    print("  AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME={} python predict.py photo.jpg".format(endpoint.url), flush=True)
    try:
        endpoint.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.server_close()
    print("Stopped.", flush=True)


if __name__ == "__main__":
    main()

"""A SageMaker endpoint on your laptop: inference.py behind the real SageMaker MXNet handler service, on 127.0.0.1.

    python serve.py --model-dir build/model [--port 8080]        (--port 0 picks a free port)

It speaks the container contract (GET /ping, POST /invocations) and the runtime API's path
(POST /endpoints/<name>/invocations), so the real boto3 client reaches it:
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=http://127.0.0.1:8080 python predict.py photo.jpg
(it prints that command with this folder's paths as you would type them where you are, and a photo that exists).
HTTP is waitress's: one thread reads every connection as it comes (a slow client holds no thread), --threads threads
answer the requests for the model, and one more thread runs the model, one request at a time as one model-server
worker does. Everything else (GET /ping, and every refusal) is answered by two threads of its own, so the health
check never waits behind the model. A request must arrive whole within --read-timeout seconds of its first byte (408),
a POST needs a length (411) and has one way to say it (400), a body over 6 MB is refused (413: from its
Content-Length, or once a chunked body passes 6 MB; the rest is dropped as it arrives), and a model call that takes
over --model-timeout seconds is answered 504. New work is refused with 503 while that call still runs, or while
--queue requests already wait for the model. Ctrl-C or SIGTERM stops it.
"""
import argparse
import json
import logging
import queue
import re
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import Future, TimeoutError
from http import HTTPStatus
from pathlib import Path

from sagemaker_inference.content_types import UTF8_TYPES

HERE = Path(__file__).resolve().parent
if str(HERE / "code") not in sys.path:
    sys.path.insert(0, str(HERE / "code"))  # the container's modules: code/, as SageMaker lays out model.tar.gz


import handler  # noqa: E402
import predict  # noqa: E402
from waitress_server import JSON, QUEUE, READ_TIMEOUT_SECONDS, THREADS, create, error_body  # noqa: E402

RUNTIME_PATH = re.compile(r"^/endpoints/([^/]+)/invocations$")
MODEL_ERROR = "ModelError"
MODEL_TIMEOUT_SECONDS = 60  # SageMaker's own limit for one invocation


class Model:
    """The one thread that runs the network for good (MXNet keeps memory for every thread that ever ran it), and the
    deadline of each request waiting for it."""

    def __init__(self, invoke, timeout):
        self.invoke, self.timeout = invoke, timeout
        self.waiting = queue.Queue()
        self.running_until = None  # the deadline of the call now running
        threading.Thread(target=self._run, name="model", daemon=True).start()  # a hung call cannot block a stop

    def stuck(self):
        """Why new work cannot be taken now (a call running past its deadline), or None."""
        if self.running_until is not None and time.monotonic() > self.running_until:
            return f"The model is still busy with a request that took over {self.timeout} seconds: try again in a minute."
        return None

    def answer(self, *request):
        """(status, content type, body) for one request, within the deadline."""
        busy = self.stuck()
        if busy:
            return 503, JSON, error_body(busy)
        answer = Future()
        self.waiting.put((answer, time.monotonic() + self.timeout, request))
        try:
            return answer.result(timeout=self.timeout)
        except TimeoutError:
            answer.cancel()  # if it has not started, it never will
            return 504, JSON, error_body(f"The model did not answer within {self.timeout} seconds: try again, or send a smaller "
                                     "photo.")

    def _run(self):
        while True:
            answer, deadline, request = self.waiting.get()
            if answer.set_running_or_notify_cancel():
                self.running_until = deadline
                answer.set_result(self._call(*request))
                self.running_until = None

    def _call(self, *request):
        try:
            return self.invoke(*request)
        except BaseException:  # SystemExit too: the client gets a 500 and the thread goes on with the next request
            traceback.print_exc()
            return 500, JSON, error_body("The model failed on this request: the endpoint's log has the traceback.")


class Endpoint:
    """The WSGI application: the container's routes and the runtime API's, in front of the model."""

    def __init__(self, invoke, model_timeout=MODEL_TIMEOUT_SECONDS):
        self.model = Model(invoke, model_timeout)

    @classmethod
    def for_model(cls, model_dir, model_timeout=MODEL_TIMEOUT_SECONDS):
        """The endpoint of inference.py and the model in `model_dir`, through the real handler service."""
        service = handler.start(model_dir)
        return cls(lambda *request: handler.invoke(service, model_dir, *request), model_timeout)

    def is_model_work(self, method, path):
        """Whether the model answers this request (the server hands it to the model's threads): see is_model_work."""
        return is_model_work(method, path)

    def __call__(self, environ, start_response):
        status, content_type, body, headers = self.answer(environ)
        start_response(f"{status} {HTTPStatus(status).phrase}",
                       [("Content-Type", content_type), ("Content-Length", str(len(body)))] + headers)
        return [body]

    def answer(self, environ):
        """environ -> (status, content type, body, [extra headers])."""
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        if method == "GET" and path == "/ping":
            return 200, JSON, b'{"status": "Healthy"}', []
        if method == "GET":
            return 404, JSON, error_body(f"There is nothing at {path}: try GET /ping."), []
        if not is_model_work(method, path):
            return 404, JSON, error_body("POST /invocations or /endpoints/<name>/invocations."), []
        status, content_type, body = self.invoke(environ)
        if RUNTIME_PATH.match(path):
            return answer_as_runtime(status, content_type, body)
        return status, content_type, body, []

    def invoke(self, environ):
        # Request has refused a body over MAX_BYTES already: what is here is at most that, and its length is known.
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        content_type, accept = environ.get("CONTENT_TYPE"), environ.get("HTTP_ACCEPT")
        if content_type in UTF8_TYPES and not _is_utf8(body):  # else the toolkit's decode fails with a 500
            return 400, JSON, error_body(f"A {content_type} body must be UTF-8 text: send JSON {{\"url\": \"https://...\"}} in "
                                     "UTF-8.")
        return self.model.answer(body, content_type, accept)


def is_model_work(method, path):
    """True for the requests the model answers: POST /invocations and the runtime API's path."""
    return method == "POST" and (path == "/invocations" or RUNTIME_PATH.match(path) is not None)


def answer_as_runtime(status, content_type, body):
    """What SageMaker's runtime API makes of the container's answer: the answer, or a ModelError (HTTP 424)."""
    if status == 200:
        return 200, content_type, body, [("x-Amzn-Invoked-Production-Variant", "AllTraffic")]
    message = body.decode("utf-8", "replace")
    error = {
        "ErrorCode": "CLIENT_ERROR_FROM_MODEL" if status < 500 else "SERVER_ERROR_FROM_MODEL",
        "OriginalStatusCode": status,
        "OriginalMessage": message,
        "message": "Received {} error ({}) from primary with message \"{}\".".format(
            "client" if status < 500 else "server", status, message.splitlines()[0] if message else ""
        ),
    }
    return 424, JSON, json.dumps(error).encode("utf-8"), [("x-amzn-ErrorType", MODEL_ERROR)]




def _is_utf8(body):
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=Path("build/model"), help="a model folder (make train)")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--threads", type=int, default=THREADS, help="requests answered at once")
    parser.add_argument("--read-timeout", type=int, default=READ_TIMEOUT_SECONDS,
                        help="seconds a client may take to send a request (408 after that), or stay idle")
    parser.add_argument("--model-timeout", type=int, default=MODEL_TIMEOUT_SECONDS,
                        help="seconds a request may wait for the model (504 after that)")
    parser.add_argument("--queue", type=int, default=QUEUE,
                        help="requests that may wait for a thread to the model (503 for new work past that)")
    args = parser.parse_args(argv)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # else a line for each request a burst queues
    if not args.model_dir.is_dir():
        sys.exit(f"There is no model folder {args.model_dir}: `make train` makes build/model, `make checkpoint-step 3` makes "
                 "build/checkpoint/model (`make serve` takes whichever exists; MODEL=... names another).")
    try:
        server = create(Endpoint.for_model(str(args.model_dir), args.model_timeout), args.port, args.threads,
                        args.read_timeout, queue=args.queue)
    except (OSError, KeyError, ValueError) as error:
        sys.exit(f"Could not start on port {args.port} with the model in {args.model_dir}: {error}")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops as Ctrl-C does
    try:  # a stop may come as soon as the URL is out
        url = f"http://127.0.0.1:{server.effective_port}"
        print(f"Serving {args.model_dir} on {url} (Ctrl-C stops). Try:")
        print("  " + predict.how_to_ask(local_url=url), flush=True)
        server.run()  # returns on Ctrl-C
    except KeyboardInterrupt:
        pass
    finally:
        server.close()  # every connection, and the threads (a hung model thread does not hold the exit)
    print("Stopped.", flush=True)


if __name__ == "__main__":
    main()

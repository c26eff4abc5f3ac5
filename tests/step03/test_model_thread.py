"""serve.py's model thread, whatever the model does: /ping answers while it is busy, a call past its deadline gets 504
and does not take the endpoint down with it, and a handler that raises anything gets a 500.

The server is serve.py's own (its WSGI app on its waitress server, in this process); the model behind it is a stand-in
that sleeps or raises on demand, as no real model does it on cue."""
import json
import threading
import time
import urllib.error
import urllib.request

import pytest

MODEL_TIMEOUT = 2


class Model:
    """A stand-in for handler.invoke: answers at once, or as the body says (b"wait" blocks until released)."""

    def __init__(self):
        self.released, self.busy = threading.Event(), threading.Event()

    def __call__(self, body, content_type, accept):
        if body == b"wait":
            self.busy.set()
            self.released.wait(30)
        elif body in RAISED:
            raise RAISED[body]
        return 200, "application/json", json.dumps({"body": len(body)}).encode()


class Interrupted(BaseException):
    """A BaseException of a library's own, as a KeyboardInterrupt-like one a handler might raise."""


RAISED = {b"exit": SystemExit(3), b"interrupt": KeyboardInterrupt(), b"own": Interrupted(), b"error": ValueError()}


@pytest.fixture
def endpoint(host):
    """(URL, the stand-in model) of serve.py's server on a free port, stopped after the test."""
    serve, model = host("serve"), Model()
    server = serve.create(serve.Endpoint(model, MODEL_TIMEOUT), port=0, threads=4, read_timeout=2)
    running = threading.Thread(target=server.run, daemon=True)
    running.start()
    yield f"http://127.0.0.1:{server.effective_port}", model
    model.released.set()
    server.close()


def post(url, body, timeout=10):
    """(status, the JSON answer, seconds it took)."""
    began = time.monotonic()
    request = urllib.request.Request(url + "/invocations", data=body, headers={"Content-Type": "image/jpeg"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read()), time.monotonic() - began
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode().splitlines()[0]), time.monotonic() - began


def in_background(function, *args):
    result = []
    thread = threading.Thread(target=lambda: result.append(function(*args)), daemon=True)
    thread.start()
    return thread, result


def test_ping_answers_at_once_while_the_model_is_busy(endpoint):
    url, model = endpoint
    waiting = [in_background(post, url, b"wait") for _ in range(2)]  # one runs, one waits for the model
    assert model.busy.wait(10), "the model never started"
    began = time.monotonic()
    with urllib.request.urlopen(url + "/ping", timeout=10) as response:
        assert response.status == 200
    took = time.monotonic() - began
    model.released.set()
    for thread, _ in waiting:
        thread.join(10)
    assert took < 1, f"/ping took {took:.1f} s while the model was busy: SageMaker's health check does not wait"


def test_a_model_call_past_its_deadline_gets_504_and_the_endpoint_lives_on(endpoint):
    url, model = endpoint
    status, answer, took = post(url, b"wait")
    assert status == 504 and took < MODEL_TIMEOUT + 2, (
        f"a model call that outlived --model-timeout ({MODEL_TIMEOUT} s) got {status} after {took:.1f} s: answer "
        "504 at the deadline"
    )
    assert "seconds" in answer["error"]
    status, answer, took = post(url, b"photo")
    assert status == 503 and took < 1, "while the late call still runs, the next request hears 503 at once"
    model.released.set()
    time.sleep(0.2)
    assert post(url, b"photo")[:2] == (200, {"body": 5}), "once the late call ends, requests are answered again"


@pytest.mark.parametrize("raised", list(RAISED), ids=lambda body: body.decode())
def test_a_handler_that_raises_anything_gets_a_500_and_the_next_request_is_answered(endpoint, raised):
    url, _ = endpoint
    status, answer, _ = post(url, raised)
    assert status == 500 and "log" in answer["error"], (
        f"a handler raising {type(RAISED[raised]).__name__} got {status}: answer 500 with a JSON sentence, "
        "never a closed connection"
    )
    assert post(url, b"photo")[:2] == (200, {"body": 5}), "the model thread lives on"


QUEUE = 8  # the hung endpoint's queue: requests that may wait for a thread to the model
HEALTH_FIRST = [  # (what comes while the model hangs with 20 requests sent, method, path, body, status)
    ("SageMaker's health check", "GET", "/ping", None, 200),
    ("a request for a page that is not there", "GET", "/metrics", None, 404),
    ("new work past the model's queue", "POST", "/invocations", b"photo", 503),
    ("new work on the runtime path past the queue", "POST", "/endpoints/whereml/invocations", b"photo", 503),
]


def post_until_closed(url):
    """One of the requests sent before: its answer, or the error once the server closes at the test's end."""
    try:
        return post(url, b"wait", 30)
    except OSError as error:
        return error


@pytest.fixture(scope="module")
def hung_endpoint(host):
    """serve.py's server whose model hangs on its first request, with 20 requests sent: one runs, the others wait.
    The tests below share it: each asks once more, and an answer at once changes nothing of what hangs or waits."""
    serve, model = host("serve"), Model()
    server = serve.create(serve.Endpoint(model, 30), port=0, threads=4, read_timeout=2, queue=QUEUE)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}"
    waiting = [in_background(post_until_closed, url) for _ in range(20)]
    assert model.busy.wait(10), "the model never started"
    time.sleep(0.5)  # the 20 have arrived
    yield url
    model.released.set()
    server.close()
    for thread, _ in waiting:
        thread.join(10)


@pytest.mark.parametrize("row", HEALTH_FIRST, ids=[row[0] for row in HEALTH_FIRST])
def test_with_the_model_hung_and_20_requests_waiting_the_rest_is_answered_within_a_second(hung_endpoint, row):
    what, method, path, body, status = row
    began = time.monotonic()
    request = urllib.request.Request(hung_endpoint + path, data=body, method=method,
                                     headers={"Content-Type": "image/jpeg"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            got = response.status
    except urllib.error.HTTPError as error:
        got = error.code
    except OSError as error:
        got = type(error).__name__
    took = time.monotonic() - began
    assert got == status and took < 1, (
        f"{what} got {got} after {took:.1f} s while the model hung: answer it on threads the model never holds "
        f"({status} at once), and refuse new work with 503 once {QUEUE} requests wait for the model"
    )

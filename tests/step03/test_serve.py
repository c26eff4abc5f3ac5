"""serve.py: the real handler service behind GET /ping, POST /invocations and the runtime path, on 127.0.0.1."""
import http.client
import json
import signal
import subprocess
import threading
import urllib.error
import urllib.request

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from bad_requests import BAD_REQUESTS


def post(url, body, content_type, accept=None):
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    if accept:
        request.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def runtime(url):
    return boto3.client("sagemaker-runtime", endpoint_url=url, config=Config(signature_version=UNSIGNED))


def test_ping_answers_200(server):
    with urllib.request.urlopen(server["url"] + "/ping", timeout=10) as response:
        assert response.status == 200, "SageMaker checks GET /ping before sending any request"


def test_the_handler_service_in_process_and_serve_py_answer_identically(host, model_dir, server, big_jpeg):
    handler = host("handler")
    service = handler.start(model_dir)
    expected = handler.invoke(service, model_dir, big_jpeg, "image/jpeg", "application/json")
    assert expected[0] == 200 and expected[1].split(";")[0] == "application/json"
    assert post(server["url"] + "/invocations", big_jpeg, "image/jpeg", "application/json") == expected


def test_boto3_invoke_endpoint_reaches_serve_py(server, big_jpeg, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", server["url"])
    client = boto3.client("sagemaker-runtime")
    response = client.invoke_endpoint(EndpointName="whereml", Body=big_jpeg, ContentType="image/jpeg")
    answer = json.loads(response["Body"].read())
    assert response["ContentType"].split(";")[0] == "application/json" and len(answer["predictions"]) == 3
    _, _, direct = post(server["url"] + "/invocations", big_jpeg, "image/jpeg")
    assert answer == json.loads(direct), "/endpoints/<name>/invocations answers what /invocations answers"


@pytest.mark.parametrize("row", BAD_REQUESTS, ids=[row[0] for row in BAD_REQUESTS])
def test_bad_requests_get_their_status_and_the_server_stays_up(server, bad_request, big_jpeg, row):
    body, content_type, status, word = bad_request(row)
    got, _, answer = post(server["url"] + "/invocations", body, content_type)
    assert got == status, f"{row[0]}: expected HTTP {status}, got {got}"
    assert word in json.loads(answer.decode().splitlines()[0])["error"], "the first line is the JSON error"
    assert post(server["url"] + "/invocations", big_jpeg, "image/jpeg")[0] == 200, "the next request is answered"


REFUSED_BY_THE_SERVER = [  # (what the client did, body, content type, Accept, status, a word of the answer)
    ("JSON that is not UTF-8", b'{"url": "https://pbs.twimg.com/media/\xe9t\xe9.jpg"}', "application/json", None,
     400, "UTF-8"),
    ("Accept: application/json;q=0", "photo", "image/jpeg", "application/json;q=0", 406, "Accept"),
    ("Accept: text/csv, application/json;q=0", "photo", "image/jpeg", "text/csv, application/json;q=0", 406, "Accept"),
]


@pytest.mark.parametrize("row", REFUSED_BY_THE_SERVER, ids=[row[0] for row in REFUSED_BY_THE_SERVER])
def test_what_the_toolkit_would_miss_is_refused_with_a_json_sentence(server, big_jpeg, row):
    what, body, content_type, accept, status, word = row
    got, _, answer = post(server["url"] + "/invocations", big_jpeg if body == "photo" else body, content_type, accept)
    assert got == status, f"{what}: expected HTTP {status}, got {got}"
    assert word in json.loads(answer.decode().splitlines()[0])["error"], "the first line is the JSON error"


def test_boto3_sees_a_refusal_as_model_error_with_the_original_status(server):
    client = runtime(server["url"])
    with pytest.raises(client.exceptions.ModelError) as caught:
        client.invoke_endpoint(EndpointName="whereml", Body=b"not a photo", ContentType="image/jpeg")
    assert caught.value.response["OriginalStatusCode"] == 400, "like SageMaker: ModelError carrying the status"
    assert "JPEG or PNG" in json.loads(caught.value.response["OriginalMessage"].splitlines()[0])["error"]


def test_concurrent_requests_are_all_answered(server, big_jpeg):
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(post(server["url"] + "/invocations", big_jpeg, "image/jpeg")))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _, _ in results] == [200] * 6
    assert len({body for _, _, body in results}) == 1, "the same photo gets the same answer under load"


def test_sigterm_stops_the_server_cleanly_and_at_once(own_server):
    process = own_server["process"]
    idle = http.client.HTTPConnection(own_server["url"][len("http://"):], timeout=10)
    idle.request("GET", "/ping")
    assert idle.getresponse().read(), "a keep-alive client, now waiting to send its next request"
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail("serve.py must stop on SIGTERM / Ctrl-C at once, not when an idle client's read timeout ends: "
                    "close the open connections as it stops")
    finally:
        idle.close()
    assert process.returncode == 0, "a clean stop exits 0"
    assert "Stopped" in process.stdout.read()

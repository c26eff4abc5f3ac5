"""chalicelib/endpoint.py: the real boto3 sagemaker-runtime client, sent to a local endpoint through
AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME (as `chalice local` reaches step 03's serve.py)."""
import pytest

from bot_stand_ins import JPEG, PREDICTIONS


@pytest.fixture
def endpoint(chalicelib, env):
    module = chalicelib("endpoint")
    module._runtime.cache_clear()  # a client for this test's environment
    yield module
    module._runtime.cache_clear()


@pytest.mark.parametrize("photo, content_type", [(JPEG, "image/jpeg"), (b"\x89PNG\r\n\x1a\n...", "image/png")])
def test_the_photo_bytes_go_to_the_runtime_path_with_their_type(endpoint, endpoint_server, photo, content_type):
    assert endpoint.predict("whereml-test", photo) == PREDICTIONS
    (request,) = endpoint_server.requests
    assert request["path"] == "/endpoints/whereml-test/invocations"
    assert request["headers"]["Content-Type"] == content_type and request["body"] == photo


def test_an_unknown_endpoint_is_an_endpoint_error(endpoint, endpoint_server):
    endpoint_server.status, endpoint_server.answer = 400, {"message": "Could not find endpoint"}
    with pytest.raises(endpoint.EndpointError, match="whereml-test"):
        endpoint.predict("whereml-test", JPEG)

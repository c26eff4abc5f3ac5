"""Asking the SageMaker endpoint where a photo was taken: the step-03 "Endpoint answer" JSON, checked."""
import functools
import json
import numbers

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.aws_clients import SESSION

READ_TIMEOUT = 20  # seconds; a stuck endpoint must not use up the worker's whole Lambda time
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class EndpointError(RuntimeError):
    """The endpoint failed, timed out, or answered outside the contract: worth another try later."""


def content_type(photo):
    """X serves photos as JPEG, some as PNG: tell the endpoint which."""
    return "image/png" if photo.startswith(PNG_SIGNATURE) else "image/jpeg"


def _checked(answer):
    """The predictions of an endpoint answer, or EndpointError when it breaks the contract."""
    predictions = answer.get("predictions") if isinstance(answer, dict) else None
    if not isinstance(predictions, list) or not predictions:
        raise EndpointError('the endpoint answered without a "predictions" list')
    for guess in predictions:
        numbers_ok = isinstance(guess, dict) and all(
            isinstance(guess.get(key), numbers.Real) for key in ("lat", "lng", "probability")
        )
        if not numbers_ok:
            raise EndpointError("each prediction needs numbers lat, lng and probability")
    return predictions


@functools.lru_cache(maxsize=1)
def _runtime():
    # boto3 reads AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: point it at step 03's serve.py to run without AWS.
    timeouts = Config(connect_timeout=3, read_timeout=READ_TIMEOUT, retries={"max_attempts": 2, "mode": "standard"})
    return SESSION.client("sagemaker-runtime", config=timeouts)


def predict(endpoint_name, photo):
    """The endpoint's guesses for `photo` (bytes), best first: dicts with lat, lng, probability, place, ..."""
    try:
        answer = _runtime().invoke_endpoint(
            EndpointName=endpoint_name, Body=photo, ContentType=content_type(photo), Accept="application/json"
        )
        body = json.loads(answer["Body"].read())
    except (BotoCoreError, ClientError, ValueError) as error:
        raise EndpointError(f"the endpoint {endpoint_name} failed: {error}") from error
    return _checked(body)

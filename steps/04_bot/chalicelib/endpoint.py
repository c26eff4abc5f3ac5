"""Asking the SageMaker endpoint where a photo was taken: the step-03 "Endpoint answer" JSON, checked."""
import functools
import json
import math
import numbers

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.aws_clients import SESSION

# A stuck endpoint must not use up the worker's Lambda time: ATTEMPTS x (CONNECT_TIMEOUT + READ_TIMEOUT) = 64 s
# (and at most 2 s of botocore's backoff), so with the photo and X's calls the worker stays within its 120 s.
CONNECT_TIMEOUT = 2  # seconds
# A warm endpoint answers in well under a second. A serverless one that was idle starts first (a cold start: the
# container, the model's download, then model_fn, which takes 2-7 s for a LocationNet-size model on 2 cores:
# bench/step03_serverless.py): 30 s lets most of them finish within the request. A longer one fails this try, and
# SQS hands the message back after its visibility timeout, when the endpoint is warm.
READ_TIMEOUT = 30  # seconds
ATTEMPTS = 2  # in all, the first one included
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class EndpointError(RuntimeError):
    """The endpoint failed, timed out, or answered outside the contract: worth another try later."""


class PhotoRejected(Exception):
    """The endpoint will never answer for this photo: the model said 4xx, or gave probabilities that are not numbers."""


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
        if not all(math.isfinite(guess[key]) for key in ("lat", "lng", "probability")):
            raise PhotoRejected(f"the endpoint answered {guess} for this photo: NaN or infinite numbers")
    return predictions


def _rejects_the_photo(error):
    """True for SageMaker's ModelError carrying the model's own 4xx: this photo, not a passing failure."""
    status = error.response.get("OriginalStatusCode")
    code = error.response.get("Error", {}).get("Code")
    return code == "ModelError" and isinstance(status, int) and 400 <= status < 500 and status not in (408, 429)


@functools.lru_cache(maxsize=1)
def _runtime():
    # boto3 reads AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: point it at step 03's serve.py to run without AWS.
    timeouts = Config(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        retries={"total_max_attempts": ATTEMPTS, "mode": "standard"},
    )
    return SESSION.client("sagemaker-runtime", config=timeouts)


def predict(endpoint_name, photo):
    """The endpoint's guesses for `photo` (bytes), best first: dicts with lat, lng, probability, place, ..."""
    try:
        answer = _runtime().invoke_endpoint(
            EndpointName=endpoint_name, Body=photo, ContentType=content_type(photo), Accept="application/json"
        )
        body = json.loads(answer["Body"].read())
    except ClientError as error:
        if _rejects_the_photo(error):
            raise PhotoRejected(f"the model behind {endpoint_name} refused the photo: {error}") from error
        raise EndpointError(f"the endpoint {endpoint_name} failed: {error}") from error
    except (BotoCoreError, ValueError) as error:
        raise EndpointError(f"the endpoint {endpoint_name} failed: {error}") from error
    return _checked(body)

"""Asking the SageMaker endpoint where a photo was taken: the step-03 "Endpoint answer" JSON, checked."""
import functools
import json
import math
import numbers
import re

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


MAX_GUESSES = 10  # the endpoint answers k <= 10 guesses
MAX_NAME = 200  # characters of a place or region name; real ones are under 100
RANGES = {"lat": (-90, 90), "lng": (-180, 180), "probability": (0, 1)}
COUNTRY_CODE = re.compile(r"([A-Za-z]{2})?")  # two ASCII letters, or empty


def _check_number(guess, key):
    """A real number (JSON true is no probability) within its range; NaN or infinity means this photo."""
    value, (low, high) = guess.get(key), RANGES[key]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise EndpointError(f"each prediction needs {key} as a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise PhotoRejected(f"the endpoint answered {key} {value} for this photo")
    if not low <= value <= high:
        raise EndpointError(f"the endpoint answered a {key} outside [{low}, {high}]")


def _check_guess(guess):
    if not isinstance(guess, dict):
        raise EndpointError("each prediction must be a JSON object")
    for key in RANGES:
        _check_number(guess, key)
    for key in ("place", "admin1"):
        name = guess.get(key)
        if not (name is None or isinstance(name, str) and len(name) <= MAX_NAME):
            raise EndpointError(f"each prediction's {key} must be text of at most {MAX_NAME} characters")
    code = guess.get("country_code")
    if not (code is None or isinstance(code, str) and COUNTRY_CODE.fullmatch(code)):
        raise EndpointError("each prediction's country_code must be two ASCII letters or empty")


def _checked(answer):
    """The predictions of an endpoint answer, or EndpointError when it breaks the contract: a compromised or buggy
    endpoint must not put what it likes into a reply."""
    predictions = answer.get("predictions") if isinstance(answer, dict) else None
    if not isinstance(predictions, list) or not 1 <= len(predictions) <= MAX_GUESSES:
        raise EndpointError(f'the endpoint answered without a "predictions" list of 1 to {MAX_GUESSES} guesses')
    for guess in predictions:
        _check_guess(guess)
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


def predict(endpoint_name, photo, runtime=None):
    """The endpoint's guesses for `photo` (bytes), best first: dicts with lat, lng, probability, place, ...
    `runtime`: a sagemaker-runtime client with other timeouts (the web page's)."""
    try:
        answer = (runtime or _runtime()).invoke_endpoint(
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

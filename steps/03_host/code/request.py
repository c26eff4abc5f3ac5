"""What a request asks for, checked before it is trusted: a JSON body's photo URL and k, and whether its Accept header
admits a JSON answer."""
import json

from photo import MAX_BYTES
from refusal import Refused

JSON = "application/json"
DEFAULT_K = 3
MAX_K = 10
EXAMPLE = '{"url": "https://...", "k": 3}'


def read_json(body):
    """A JSON request body -> {"url": str, "k": 1..MAX_K}, or Refused(400/413)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not body:
        raise Refused(400, "The request body is empty: send JSON " + EXAMPLE + ".")
    if len(body) > MAX_BYTES:
        raise Refused(413, "The JSON request is far too big: send " + EXAMPLE + ".")
    try:
        request = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than Python's parser goes
        raise Refused(400, "The body is not valid JSON: send " + EXAMPLE + ".")
    if not isinstance(request, dict) or not isinstance(request.get("url"), str):
        raise Refused(400, 'The JSON has no "url" string: send ' + EXAMPLE + ".")
    k = request.get("k", DEFAULT_K)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:  # True is an int to Python, not to us
        raise Refused(400, '"k" must be a whole number from 1 to {}: it is how many places to answer.'.format(MAX_K))
    return {"url": request["url"], "k": k}


def accepts_json(accept):
    """Whether the Accept header admits JSON: the most specific range naming it decides, and q=0 means "not this"."""
    qualities = {}
    for part in (accept or JSON).split(","):
        media_type, _, parameters = part.partition(";")
        qualities[media_type.strip().lower()] = _quality(parameters)
    for media_type in (JSON, "application/*", "*/*"):
        if media_type in qualities:
            return qualities[media_type] > 0
    return False


def _quality(parameters):
    """The q of a media range's parameters ("q=0.5; level=1" -> 0.5): 1 without one, 0 when it is not a number."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0

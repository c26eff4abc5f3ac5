"""X, stood in for the tests and the offline demo: a post's id at a given time, the signature of a webhook delivery,
and the `responses` mock that answers for X's hosts. Written from X's documentation, not from the bot's code, so that the bot is checked against X."""
import base64
import contextlib
import hashlib
import hmac

import responses
from moto.core.models import override_responses_real_send

X_EPOCH_MS = 1288834974657  # 2010-11-04, where the clock in X's post ids (snowflakes) starts


def post_id_at(unix_seconds, sequence=0):
    """The id X gives a post made at `unix_seconds`: the milliseconds since X's epoch, above 22 bits of sequence."""
    return str(((round(unix_seconds * 1000) - X_EPOCH_MS) << 22) + sequence)


def signature(body, secret):
    """X's x-twitter-webhooks-signature for `body`: HMAC-SHA256 with the app's consumer secret, base64, "sha256="."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


@contextlib.contextmanager
def x_api():
    """A `responses` mock that stands in for X (tests add the answers they need; anything else is refused), and that
    also gets what moto, running in the same process, does not serve. moto intercepts requests with its own
    `responses` mock, which would otherwise send the rest to the network: handing it ours is moto's documented way
    (override_responses_real_send, moto >= 4.2.8, "Using Moto with responses")."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        override_responses_real_send(mock)
        try:
            yield mock
        finally:
            override_responses_real_send(None)

"""What X sends, made here for the tests and the offline demo: a post's id at a given time, and the signature of a
webhook delivery. Written from X's documentation, not from the bot's code, so that the bot is checked against X."""
import base64
import hashlib
import hmac

X_EPOCH_MS = 1288834974657  # 2010-11-04, where the clock in X's post ids (snowflakes) starts


def post_id_at(unix_seconds, sequence=0):
    """The id X gives a post made at `unix_seconds`: the milliseconds since X's epoch, above 22 bits of sequence."""
    return str(((round(unix_seconds * 1000) - X_EPOCH_MS) << 22) + sequence)


def signature(body, secret):
    """X's x-twitter-webhooks-signature for `body`: HMAC-SHA256 with the app's consumer secret, base64, "sha256="."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()

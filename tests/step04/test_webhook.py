"""chalicelib/webhook.py on its own: the CRC answer, the signature check and the photo picked out of a tweet."""
import _operator
import base64
import hashlib
import hmac
import json
import sys

import pytest
from bot_stand_ins import BOT_ID, P1, P2, photo_of, signature, tweet
from chalice import Response

SECRET = "consumer-secret"
# Constant-time comparisons, whatever the spelling (hmac.compare_digest, secrets.compare_digest, from hmac import
# compare_digest are one function; _operator's is hmac's own fallback).
CONSTANT_TIME = (hmac.compare_digest, _operator._compare_digest)


@pytest.fixture(scope="module")
def webhook(chalicelib):
    return chalicelib("webhook")


def crc_answer(webhook, secret, token):
    """The JSON that GET /twitter/webhook sends back: crc_response's dict, or the JSON body of its chalice.Response."""
    answer = webhook.crc_response(secret, token)
    body = (answer if isinstance(answer, Response) else Response(body=answer)).to_dict()["body"]
    try:
        return json.loads(body)
    except ValueError:
        pytest.fail(f"crc_response answered {body!r}: answer JSON, {{'response_token': 'sha256=...'}}")


@pytest.mark.todo("04.1")
@pytest.mark.parametrize("secret, token", [(SECRET, "token-1"), ("another secret", "Ab9_-x" * 8)])
def test_crc_response_is_sha256_equals_base64_of_the_hmac(webhook, secret, token):
    digest = hmac.new(secret.encode(), token.encode(), hashlib.sha256).digest()
    expected = {"response_token": "sha256=" + base64.b64encode(digest).decode()}
    answer = crc_answer(webhook, secret, token)
    assert answer == expected, (
        f"crc_response answered {answer}, X expects {expected}: 'sha256=' + base64 (not hex) of the HMAC-SHA256 whose "
        "key is the consumer secret and whose message is the crc_token"
    )


@pytest.mark.todo("04.1")
def test_crc_response_depends_on_the_secret_and_the_token(webhook):
    answers = {json.dumps(crc_answer(webhook, s, t)) for s in ("a", "b") for t in ("x", "y")}
    assert len(answers) == 4, "each secret and token give their own response_token"


VALID = signature(b"body", SECRET)


@pytest.mark.todo("04.2")
@pytest.mark.parametrize(
    "header, valid",
    [(VALID, True), (signature(b"body", "other"), False), (signature(b"other", SECRET), False),
     (None, False), ("", False), ("sha256=", False), (VALID[7:], False), ("sha256=%%%", False), ("sha256=é", False),
     (VALID.replace("sha256", "sha1"), False), (VALID + "x", False), (VALID + ",sha256=AAAA", False),
     ("x" + VALID, False)],
    ids=["valid", "wrong secret", "other body", "missing", "empty", "prefix only", "no prefix", "not base64",
         "not ascii", "wrong scheme", "valid then a character", "valid then another signature",
         "a character then valid"],
)
def test_signature_is_valid_only_for_the_hmac_of_the_raw_body(webhook, header, valid):
    try:
        answer = webhook.signature_is_valid(SECRET, b"body", header)
    except Exception as error:
        pytest.fail(f"signature_is_valid raised {type(error).__name__} ({error}) for the header {header!r}: a missing "
                    "or malformed header is simply invalid (False); compare bytes, header.encode()")
    assert answer is valid, (
        f"signature_is_valid said {answer} for the header {header!r}: only the whole header 'sha256=' + base64 of "
        "the HMAC-SHA256 of these body bytes, and nothing before or after it, is valid"
    )


def functions_called(function, *args):
    """The built-in functions that function(*args) calls (sys.setprofile sees each one)."""
    called = []
    sys.setprofile(lambda frame, event, arg: called.append(arg) if event == "c_call" else None)
    try:
        function(*args)
    finally:
        sys.setprofile(None)
    return called


@pytest.mark.todo("04.2")
@pytest.mark.parametrize("header", [VALID, VALID[:-2] + "AA"], ids=["valid", "a near miss"])
def test_signature_check_uses_a_constant_time_comparison(webhook, header):
    called = functions_called(webhook.signature_is_valid, SECRET, b"body", header)
    assert any(function in CONSTANT_TIME for function in called), (
        "compare the signatures with hmac.compare_digest (secrets.compare_digest is the same), never == or "
        "startswith: they stop at the first wrong byte, and the time that takes tells a forger how close they are"
    )


def with_http_urls(tweet):
    """The tweet with each media item's plain-http media_url beside its media_url_https, as X sends both."""
    for holder in (tweet, tweet.get("extended_tweet", {})):
        for item in holder.get("extended_entities", {}).get("media", []):
            item["media_url"] = item["media_url_https"].replace("https://", "http://")
    return tweet


def photo_url_of(webhook, tweet, case):
    try:
        return webhook.photo_url(tweet)
    except Exception as error:
        pytest.fail(f"photo_url raised {type(error).__name__} ({error}) on {case}: tweets come from outside, read "
                    "them with .get() and the _object() helper, and return None when there is no photo")


@pytest.mark.todo("04.3")
@pytest.mark.parametrize(
    "kwargs, expected",
    [({}, photo_of(P1)), ({"long": True}, photo_of(P1)), ({"media": ("photo",) * 4}, photo_of(P1)),
     ({"media": ("video", "photo")}, photo_of(P1, 1)), ({"media": ()}, None), ({"media": ("video",)}, None),
     ({"media": ("animated_gif",)}, None), ({"long": True, "media": ()}, None)],
    ids=["one photo", "long tweet", "four photos", "video then photo", "no media", "video", "GIF",
         "long tweet without media"],
)
def test_photo_url_takes_the_first_photo(webhook, request, kwargs, expected):
    case = f"a tweet with {request.node.callspec.id}"
    got = photo_url_of(webhook, with_http_urls(tweet(P1, **kwargs)), case)
    assert got == expected, (
        f"photo_url gave {got!r} for {case}, not {expected!r}: take the media_url_https of the first item whose "
        "type is 'photo' in tweet['extended_entities']['media'] (in a long tweet, under tweet['extended_tweet'])"
    )


@pytest.mark.todo("04.3")
@pytest.mark.parametrize("odd", [{}, {"extended_entities": None}, {"extended_entities": {"media": "x"}},
                                 {"extended_entities": {"media": [None, 3]}}, {"extended_tweet": "x"}])
def test_photo_url_survives_odd_tweets(webhook, odd):
    assert photo_url_of(webhook, odd, f"the tweet {odd}") is None, f"photo_url({odd}) must be None"


@pytest.mark.todo("04.3")
def test_work_items_keep_the_tweet_id_photo_and_author(webhook):
    event = {"tweet_create_events": [tweet(P1), tweet(P2, author=(BOT_ID, "bot"))]}
    assert webhook.work_items(event, BOT_ID) == [
        {"tweet_id": P1, "photo_url": photo_of(P1), "author": "alice"}
    ]

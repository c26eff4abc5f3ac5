"""chalicelib/webhook.py on its own: the CRC answer, the signature check and the photo picked out of a tweet."""
import base64
import hashlib
import hmac

import pytest
from bot_stand_ins import BOT_ID, photo_of, signature, tweet

SECRET = "consumer-secret"


@pytest.fixture(scope="module")
def webhook(chalicelib):
    return chalicelib("webhook")


def test_crc_response_is_sha256_equals_base64_of_the_hmac(webhook):
    digest = hmac.new(b"consumer-secret", b"token-1", hashlib.sha256).digest()
    assert webhook.crc_response(SECRET, "token-1") == {
        "response_token": "sha256=" + base64.b64encode(digest).decode()
    }, "answer {'response_token': 'sha256=' + base64(HMAC-SHA256(key=consumer secret, msg=crc_token))}"


def test_crc_response_depends_on_the_secret_and_the_token(webhook):
    answers = {webhook.crc_response(s, t)["response_token"] for s in ("a", "b") for t in ("x", "y")}
    assert len(answers) == 4


@pytest.mark.parametrize(
    "header, valid",
    [(signature(b"body", SECRET), True), (signature(b"body", "other"), False), (signature(b"other", SECRET), False),
     (None, False), ("", False), ("sha256=", False), (signature(b"body", SECRET)[7:], False),
     ("sha256=%%%", False), ("sha256=é", False), (signature(b"body", SECRET).replace("sha256", "sha1"), False)],
    ids=["valid", "wrong secret", "other body", "missing", "empty", "prefix only", "no prefix", "not base64",
         "not ascii", "wrong scheme"],
)
def test_signature_is_valid_only_for_the_hmac_of_the_raw_body(webhook, header, valid):
    assert webhook.signature_is_valid(SECRET, b"body", header) is valid


def test_signature_check_uses_a_constant_time_comparison(webhook, monkeypatch):
    seen = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: seen.append(1) or real(a, b))
    webhook.signature_is_valid(SECRET, b"body", signature(b"body", SECRET))
    assert seen, "compare signatures with hmac.compare_digest, not ==, so timing tells a forger nothing"


@pytest.mark.parametrize(
    "kwargs, expected",
    [({}, photo_of("5001")), ({"long": True}, photo_of("5001")), ({"media": ("photo",) * 4}, photo_of("5001")),
     ({"media": ("video", "photo")}, photo_of("5001", 1)), ({"media": ()}, None), ({"media": ("video",)}, None),
     ({"media": ("animated_gif",)}, None), ({"long": True, "media": ()}, None)],
    ids=["one photo", "long tweet", "four photos", "video then photo", "no media", "video", "GIF",
         "long tweet without media"],
)
def test_photo_url_takes_the_first_photo(webhook, kwargs, expected):
    assert webhook.photo_url(tweet("5001", **kwargs)) == expected, (
        "take the first media item of type 'photo' from extended_entities (under extended_tweet for long tweets)"
    )


@pytest.mark.parametrize("odd", [{}, {"extended_entities": None}, {"extended_entities": {"media": "x"}},
                                 {"extended_entities": {"media": [None, 3]}}, {"extended_tweet": "x"}])
def test_photo_url_survives_odd_tweets(webhook, odd):
    assert webhook.photo_url(odd) is None


def test_work_items_keep_the_tweet_id_photo_and_author(webhook):
    event = {"tweet_create_events": [tweet("5001"), tweet("5002", author=(BOT_ID, "bot"))]}
    assert webhook.work_items(event, BOT_ID) == [
        {"tweet_id": "5001", "photo_url": photo_of("5001"), "author": "alice"}
    ]

"""chalicelib/webhook.py on its own: the CRC answer, the signature check and the first photo of a post."""
import _operator
import base64
import hashlib
import hmac
import json
import sys

import pytest
from chalice import Response

from bot_stand_ins import BOT_ID, P1, P2, mention_delivery, photo_of, post_photo_of, signature, tweet

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
def test_crc_response_signs_text_beyond_ascii_as_utf_8(webhook):
    # The token comes from outside: X sends ASCII, anyone else may send anything.
    secret, token = "sécret-東京", "crc-é-ß-東京"
    digest = hmac.new(secret.encode("utf-8"), token.encode("utf-8"), hashlib.sha256).digest()
    expected = {"response_token": "sha256=" + base64.b64encode(digest).decode()}
    answer = crc_answer(webhook, secret, token)
    assert answer == expected, (
        f"crc_response answered {answer} for a secret and token beyond ASCII, not {expected}: encode both as UTF-8 "
        "(str.encode() does), as X does"
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
     ("x" + VALID, False), ("sha256=" + VALID[7:].swapcase(), False), (VALID.upper(), False)],
    ids=["valid", "wrong secret", "other body", "missing", "empty", "prefix only", "no prefix", "not base64",
         "not ascii", "wrong scheme", "valid then a character", "valid then another signature",
         "a character then valid", "the base64's case swapped", "all upper case"],
)
def test_signature_is_valid_only_for_the_hmac_of_the_raw_body(webhook, header, valid):
    try:
        answer = webhook.signature_is_valid(SECRET, b"body", header)
    except Exception as error:
        pytest.fail(f"signature_is_valid raised {type(error).__name__} ({error}) for the header {header!r}: a missing "
                    "or malformed header is simply invalid (False); compare bytes, header.encode()")
    assert answer is valid, (
        f"signature_is_valid said {answer} for the header {header!r}: only the whole header 'sha256=' + base64 of "
        "the HMAC-SHA256 of these body bytes, and nothing before or after it, is valid (base64 is case-sensitive: "
        "compare exactly)"
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
@pytest.mark.parametrize("body", [b'{"for_user_id": "1"}\n', b"  body  ", b"\xff\xfe not UTF-8\r\n"],
                         ids=["a final newline", "spaces around", "bytes that are not UTF-8"])
def test_the_signature_covers_the_raw_body_byte_for_byte(webhook, body):
    header = signature(body, SECRET)
    try:
        valid, of_stripped = (webhook.signature_is_valid(SECRET, body, header),
                              webhook.signature_is_valid(SECRET, body, signature(body.strip(), SECRET)))
    except Exception as error:
        pytest.fail(f"signature_is_valid raised {type(error).__name__} ({error}) for the body {body!r}: sign the raw "
                    "bytes as they are, never decoded or parsed")
    assert valid is True and of_stripped is False, (
        f"for the body {body!r}, its own signature was said {valid} and the signature of the body stripped "
        f"{of_stripped}: X signs the raw bytes, spaces and newlines included: HMAC the body as it arrived"
    )


@pytest.mark.todo("04.2")
@pytest.mark.parametrize("header", [VALID, VALID[:-2] + "AA"], ids=["valid", "a near miss"])
def test_signature_check_uses_a_constant_time_comparison(webhook, header):
    called = functions_called(webhook.signature_is_valid, SECRET, b"body", header)
    assert any(function in CONSTANT_TIME for function in called), (
        "compare the signatures with hmac.compare_digest (secrets.compare_digest is the same), never == or "
        "startswith: they stop at the first wrong byte, and the time that takes tells a forger how close they are"
    )


def photo(key, url=None):
    return {"media_key": key, "type": "photo", "url": url or f"https://pbs.twimg.com/media/{key}.jpg"}


def video(key, kind="video"):
    """A video or GIF as X includes it: no url, a preview_image_url."""
    return {"media_key": key, "type": kind, "preview_image_url": f"https://pbs.twimg.com/media/{key}-preview.jpg"}


def media_url(key):
    return f"https://pbs.twimg.com/media/{key}.jpg"


def post_with(keys):
    return {"id": P1, "text": "@whereml_bot where?", "attachments": {"media_keys": list(keys)}}


def photo_url_of(webhook, post, media, case):
    try:
        return webhook.photo_url(post, media)
    except Exception as error:
        pytest.fail(f"photo_url raised {type(error).__name__} ({error}) on {case}: posts come from outside, read "
                    "them with .get() and the _object() and _list() helpers, and return None when there is no photo")


@pytest.mark.todo("04.3")
@pytest.mark.parametrize(
    "keys, media, expected",
    [(["3_1"], [photo("3_1")], "3_1"),
     (["3_1", "3_2", "3_3", "3_4"], [photo(f"3_{n}") for n in range(1, 5)], "3_1"),
     (["7_1", "3_2"], [video("7_1"), photo("3_2")], "3_2"),
     (["16_1", "3_2"], [video("16_1", "animated_gif"), photo("3_2")], "3_2"),
     (["3_1", "3_2"], [photo("3_2"), photo("3_1")], "3_1"),
     (["3_5"], [photo("3_9"), video("7_8"), photo("3_5")], "3_5"),
     (["3_0", "3_1"], [photo("3_1")], "3_1"),
     (["3_1"], [photo("3_12"), photo("3_1")], "3_1"), (["3_12"], [photo("3_1"), photo("3_12")], "3_12"),
     ([], [photo("3_1")], None), (["7_1"], [video("7_1")], None), (["16_1"], [video("16_1", "animated_gif")], None),
     (["3_1"], [photo("3_9")], None)],
    ids=["one photo", "four photos", "video then photo", "GIF then photo", "includes in another order",
         "includes holding other posts' media first", "a key X sent no object for, then a photo",
         "a key inside a longer one's", "a longer key after a shorter one", "no media",
         "a video", "a GIF", "only another post's photo"],
)
def test_photo_url_follows_the_posts_media_keys_to_its_first_photo(webhook, request, keys, media, expected):
    case = f"a post with {request.node.callspec.id} (media_keys {keys}, includes.media keys " \
        f"{[item['media_key'] for item in media]})"
    got = photo_url_of(webhook, post_with(keys), media, case)
    expected = expected and media_url(expected)
    assert got == expected, (
        f"photo_url gave {got!r} for {case}, not {expected!r}: follow post['attachments']['media_keys'] in their "
        "order, find each key's object in `media` by its media_key, and return the url of the first whose type is "
        "'photo'"
    )


@pytest.mark.todo("04.3")
@pytest.mark.parametrize(
    "post, media",
    [({}, [photo("3_1")]), ({"attachments": None}, []), ({"attachments": {"media_keys": "3_1"}}, [photo("3_1")]),
     ({"attachments": {"media_keys": [None, ["3_1"], 7]}}, [photo("3_1")]), (post_with(["3_1"]), None),
     (post_with(["3_1"]), "3_1"), (post_with(["3_1"]), [None, 3, "3_1", {"media_key": "3_1"}])],
    ids=["no attachments", "attachments null", "media_keys a string", "keys that are not strings", "media null",
         "media a string", "media that are not objects, or lack a type"],
)
def test_photo_url_survives_odd_posts(webhook, request, post, media):
    case = f"a post with {request.node.callspec.id}"
    assert photo_url_of(webhook, post, media, case) is None, f"photo_url must be None for {case}"


@pytest.mark.todo("04.3")
def test_an_activity_delivery_becomes_one_work_item_with_its_first_photo(webhook):
    delivery = mention_delivery(P2, media=("video", "photo", "photo"))
    assert webhook.work_items(delivery, BOT_ID) == [
        {"tweet_id": P2, "photo_url": post_photo_of(P2, 1), "author": "alice"}
    ], "the work item of a post.mention.create delivery carries the url photo_url finds in its includes.media"


# The Account Activity API's v1.1 tweets: deprecated by X, kept working as finished plumbing.


def with_http_urls(tweet):
    """The tweet with each media item's plain-http media_url beside its media_url_https, as X sends both."""
    for holder in (tweet, tweet.get("extended_tweet", {})):
        for item in holder.get("extended_entities", {}).get("media", []):
            item["media_url"] = item["media_url_https"].replace("https://", "http://")
    return tweet


@pytest.mark.parametrize(
    "kwargs, expected",
    [({}, photo_of(P1)), ({"long": True}, photo_of(P1)), ({"media": ("photo",) * 4}, photo_of(P1)),
     ({"media": ("video", "photo")}, photo_of(P1, 1)), ({"media": ()}, None), ({"media": ("video",)}, None),
     ({"media": ("animated_gif",)}, None), ({"long": True, "media": ()}, None)],
    ids=["one photo", "long tweet", "four photos", "video then photo", "no media", "video", "GIF",
         "long tweet without media"],
)
def test_a_v1_tweets_first_photo_is_its_media_url_https(webhook, kwargs, expected):
    assert webhook.tweet_photo_url(with_http_urls(tweet(P1, **kwargs))) == expected


@pytest.mark.parametrize("odd", [{}, {"extended_entities": None}, {"extended_entities": {"media": "x"}},
                                 {"extended_entities": {"media": [None, 3]}}, {"extended_tweet": "x"}])
def test_odd_v1_tweets_have_no_photo(webhook, odd):
    assert webhook.tweet_photo_url(odd) is None


def test_v1_work_items_keep_the_tweet_id_photo_and_author(webhook):
    event = {"tweet_create_events": [tweet(P1), tweet(P2, author=(BOT_ID, "bot"))]}
    assert webhook.work_items(event, BOT_ID) == [
        {"tweet_id": P1, "photo_url": photo_of(P1), "author": "alice"}
    ]

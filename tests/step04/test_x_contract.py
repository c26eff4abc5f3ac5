"""The contract check itself (x_contract.py): the vendored spec is X's, and a request it does not allow is caught."""
import hashlib
from pathlib import Path

import pytest
import requests
from requests_oauthlib import OAuth1

import x_contract
from bot_stand_ins import mention_delivery

SPEC = Path(x_contract.__file__).with_name("x_openapi") / "openapi.json"
USER = OAuth1("ck", "cs", "at", "ats")
BEARER = {"Authorization": "Bearer b"}
API = "https://api.twitter.com"


def prepared(method, url, **kwargs):
    return requests.Request(method, url, **kwargs).prepare()


def test_the_vendored_spec_is_x_openapi_2_167_as_its_readme_says():
    assert x_contract.SPEC["info"]["version"] == "2.167"
    readme = SPEC.with_name("README.md").read_text()
    assert hashlib.sha256(SPEC.read_bytes()).hexdigest() in readme, "say which file was vendored (its sha256)"


@pytest.mark.parametrize(
    "request_",
    [
        prepared("POST", f"{API}/2/tweets", json={"text": "hi", "reply": {"in_reply_to_tweet_id": "5001"},
                                                  "media": {"media_ids": ["7001"]}}, auth=USER),
        prepared("GET", f"{API}/2/tweets/5001?expansions=attachments.media_keys&media.fields=type,url", auth=USER),
        prepared("GET", f"{API}/2/users/1001/mentions?max_results=100&tweet.fields=attachments,referenced_tweets",
                 auth=USER),
        prepared("POST", f"{API}/2/media/upload", files={"media": ("m.png", b"\x89PNG")},
                 data={"media_category": "tweet_image"}, auth=USER),
        prepared("POST", f"{API}/2/activity/subscriptions", auth=USER,
                 json={"event_type": "post.mention.create", "filter": {"user_id": "1001"}, "webhook_id": "8001"}),
    ],
    ids=["reply", "post lookup", "mentions", "media upload", "activity subscription"],
)
def test_requests_the_bot_makes_pass(request_):
    x_contract.check_request(request_)


@pytest.mark.parametrize(
    "request_, message",
    [
        (prepared("POST", f"{API}/2/tweet", json={"text": "hi"}, auth=USER), "no POST /2/tweet"),
        (prepared("GET", f"{API}/2/webhooks", auth=USER), "allows"),
        (prepared("POST", f"{API}/2/tweets", json={"reply": {"in_reply_to_tweet_id": "x1"}}, auth=USER), "reply"),
        (prepared("GET", f"{API}/2/tweets/5001?expansion=attachments.media_keys", auth=USER), "'expansion'"),
        (prepared("GET", f"{API}/2/tweets/5001?media.fields=photo", auth=USER), "media.fields"),
        (prepared("GET", f"{API}/2/users/1001/mentions?max_results=500", auth=USER), "max_results"),
        (prepared("GET", f"{API}/2/tweets/abc", auth=USER), "path parameter id"),
        (prepared("POST", f"{API}/2/account_activity/webhooks/8001/subscriptions/all", auth=USER), "needs a body"),
        (prepared("POST", f"{API}/2/activity/subscriptions", headers=BEARER,
                  json={"event_type": "mention", "filter": {"user_id": "1001"}}), "event_type"),
        (prepared("DELETE", f"{API}/2/activity/subscriptions/1", auth=USER), "allows"),
        (prepared("POST", f"{API}/2/media/upload", files={"media": ("m.png", b"x")}, auth=USER), "media_category"),
        (prepared("GET", "https://api.example.com/2/tweets/1", auth=USER), "X's API is on"),
    ],
    ids=["no such path", "wrong auth", "bad body", "unknown parameter", "bad enum", "over the maximum",
         "path pattern", "missing body", "bad event type", "delete needs the bearer token", "missing form field",
         "other host"],
)
def test_requests_x_does_not_allow_are_caught(request_, message):
    with pytest.raises(x_contract.Violation, match=message):
        x_contract.check_request(request_)


def test_stand_in_answers_must_follow_the_response_schemas():
    reply = prepared("POST", f"{API}/2/tweets", json={"text": "hi"}, auth=USER)
    x_contract.check_answer(reply, 201, {"data": {"id": "9001", "text": "hi"}})
    with pytest.raises(x_contract.Violation, match="text"):
        x_contract.check_answer(reply, 201, {"data": {"id": "9001"}})
    with pytest.raises(x_contract.Violation):
        x_contract.check_answer(reply, 403, {"error": "no"})


def demo_mention():
    """The delivery `make demo` sends to the bot (workshop/demo/stand_ins.py's mention())."""
    from workshop.demo import stand_ins  # the repository's demo package: the tests run from the repository's root

    return stand_ins.mention({"BOT_USER_ID": "1001", "BOT_SCREEN_NAME": "whereml_bot"})


@pytest.mark.parametrize(
    "delivery",
    [mention_delivery("5001"), mention_delivery("5002", media=("video", "photo")), mention_delivery(media=()),
     demo_mention()],
    ids=["the tests' mention", "a video then a photo", "no media", "make demo's mention"],
)
def test_the_deliveries_sent_to_the_bot_follow_x_activity_apis_schema(delivery):
    # The payload's schema hangs on event_type (a discriminator the validator cannot follow): checked on its own.
    envelope = {"data": {key: value for key, value in delivery["data"].items() if key != "payload"}}
    x_contract.check_schema(envelope, {"$ref": "#/components/schemas/ActivityStreamResponse"}, "the delivery")
    assert delivery["data"]["event_type"] == "post.mention.create"
    x_contract.check_schema(delivery["data"]["payload"], {"$ref": "#/components/schemas/Post"}, "its payload")

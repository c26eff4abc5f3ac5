"""app.py through chalice.test.Client: the webhook's two routes, what they queue, and the schedule."""
import base64
import hashlib
import hmac
import json

import pytest

from bot_stand_ins import (
    BOT_ID,
    HIDDEN,
    P1,
    P2,
    P3,
    SECRETS,
    aws_client,
    mention_delivery,
    post_event,
    post_photo_of,
    signature,
    tweet,
)

WEBHOOK = "/twitter/webhook"


@pytest.mark.todo("04.1")
def test_crc_challenge_is_answered_with_the_hmac_of_the_token(client, aws):
    answer = client.http.get(f"{WEBHOOK}?crc_token=challenge-123")
    expected = base64.b64encode(
        hmac.new(SECRETS["consumer_secret"].encode(), b"challenge-123", hashlib.sha256).digest()
    ).decode()
    assert answer.status_code == 200, f"GET /twitter/webhook failed ({answer.status_code}): see the logged exception"
    assert answer.json_body == {"response_token": "sha256=" + expected}, (
        "GET /twitter/webhook must answer {'response_token': 'sha256=' + base64(HMAC-SHA256(consumer secret, token))}"
    )


NOT_QUEUED = ("a signed post.mention.create delivery with a photo was not queued: webhook.photo_url must return the "
              "url of the post's first photo, the object of includes.media named by one of "
              "post['attachments']['media_keys']")


@pytest.mark.todo("04.3")
def test_a_signed_mention_with_a_photo_is_queued_and_answered_at_once(client, aws):
    answer = post_event(client, mention_delivery(P1))
    assert answer.status_code == 200, f"POST /twitter/webhook failed ({answer.status_code}): see the log above"
    assert answer.json_body == {"queued": 1}, NOT_QUEUED
    assert aws.queued() == [{"tweet_id": P1, "photo_url": post_photo_of(P1), "author": "alice"}]


@pytest.mark.todo("04.3")
def test_the_first_photo_after_a_video_is_queued(client, aws):
    answer = post_event(client, mention_delivery(P1, media=("video", "animated_gif", "photo", "photo")))
    assert answer.json_body == {"queued": 1}, NOT_QUEUED
    assert [item["photo_url"] for item in aws.queued()] == [post_photo_of(P1, 2)], (
        "queue the first photo: skip the media whose type is 'video' or 'animated_gif'")


@pytest.mark.parametrize(
    "delivery",
    [
        pytest.param(mention_delivery(media=("video",)), id="post with a video"),
        pytest.param(mention_delivery(media=("animated_gif",)), id="post with a GIF"),
        pytest.param({"data": {**mention_delivery()["data"], "payload": {"id": P1, "author_id": "2002",
                                                                        "attachments": "x"}}}, id="odd attachments"),
    ],
)
@pytest.mark.todo("04.3")
def test_activity_deliveries_without_a_photo_are_acknowledged_and_skipped(client, aws, delivery):
    answer = post_event(client, delivery)
    assert answer.status_code == 200, f"the webhook must answer 200 to X for every signed delivery, got {answer.body}"
    assert answer.json_body == {"queued": 0}, "only photos are queued: photo_url gives None for a video, a GIF or none"
    assert aws.queued() == []


# The Account Activity API (deprecated by X) delivers v1.1 tweets: finished plumbing, kept working.


def test_each_v1_tweet_of_an_event_becomes_one_work_item(client, aws):
    event = {"for_user_id": BOT_ID, "tweet_create_events": [tweet(P1), tweet(P2), tweet(P3, media=())]}
    answer = post_event(client, event)
    assert answer.status_code == 200
    assert answer.json_body == {"queued": 2}
    assert sorted(item["tweet_id"] for item in aws.queued()) == [P1, P2]


@pytest.mark.parametrize(
    "event",
    [
        pytest.param({"favorite_events": [{"id": "1"}]}, id="another kind of event"),
        pytest.param({"tweet_create_events": [tweet(media=())]}, id="tweet without media"),
        pytest.param({"tweet_create_events": [tweet(media=("video",))]}, id="tweet with a video"),
        pytest.param({"tweet_create_events": [tweet(media=("animated_gif",))]}, id="tweet with a GIF"),
        pytest.param({"tweet_create_events": [tweet(author=(BOT_ID, "whereml_bot"))]}, id="the bot's own tweet"),
        pytest.param({"tweet_create_events": [tweet(retweeted_status={"id_str": "1"})]}, id="a retweet"),
        pytest.param({"tweet_create_events": [tweet(mentions=("3003",))]}, id="not a mention of the bot"),
        pytest.param({"tweet_create_events": [{"id_str": "7", "extended_entities": {"media": "x"}}]}, id="odd media"),
        pytest.param({"tweet_create_events": ["not a tweet", 42, None]}, id="tweets that are not objects"),
        pytest.param({"tweet_create_events": {"id_str": "1"}}, id="events that are not a list"),
    ],
)
def test_v1_events_that_are_not_photo_mentions_are_acknowledged_and_skipped(client, aws, event):
    answer = post_event(client, event)
    assert answer.status_code == 200, f"the webhook must answer 200 to X for every signed event, got {answer.body}"
    assert answer.json_body == {"queued": 0}
    assert aws.queued() == []


def test_a_photo_on_another_host_is_not_queued(client, aws):
    bad = tweet(P1)
    bad["extended_entities"]["media"][0]["media_url_https"] = "https://evil.example.com/x.jpg"
    plain = tweet(P2)
    plain["extended_entities"]["media"][0]["media_url_https"] = "http://pbs.twimg.com/media/F.jpg"
    assert post_event(client, {"tweet_create_events": [bad, plain]}).json_body == {"queued": 0}


BODY = json.dumps({"tweet_create_events": [tweet(P1)]}).encode()


@pytest.mark.parametrize(
    "headers, body, status",
    [
        pytest.param({}, BODY, 403, id="missing signature"),
        pytest.param({"x-twitter-webhooks-signature": signature(BODY, "not-the-secret")}, BODY, 403, id="forged"),
        pytest.param({"x-twitter-webhooks-signature": signature(b"another body")}, BODY, 403, id="other body"),
        pytest.param({"x-twitter-webhooks-signature": signature(BODY)[7:]}, BODY, 403, id="no sha256= prefix"),
        pytest.param({"x-twitter-webhooks-signature": "sha256=!!not base64!!"}, BODY, 403, id="malformed"),
        pytest.param({"x-twitter-webhooks-signature": "sha256=ÿÿÿ"}, BODY, 403, id="not ascii"),
        pytest.param({"x-twitter-webhooks-signature": ""}, BODY, 403, id="empty signature"),
        pytest.param({"x-twitter-webhooks-signature": signature(b"{not json")}, b"{not json", 400, id="not JSON"),
        pytest.param({"x-twitter-webhooks-signature": signature(b"[1, 2]")}, b"[1, 2]", 400, id="JSON array"),
        pytest.param({"x-twitter-webhooks-signature": signature(b"\xff\xfe")}, b"\xff\xfe", 400, id="not UTF-8"),
    ],
)
@pytest.mark.todo("04.2")
def test_bad_webhook_posts_get_a_4xx_and_queue_nothing(client, aws, headers, body, status):
    answer = client.http.post(WEBHOOK, headers={"content-type": "application/json", **headers}, body=body)
    assert answer.status_code == status, (
        f"expected {status}: check the x-twitter-webhooks-signature header (HMAC-SHA256 of the raw body, "
        f"compared with hmac.compare_digest) before parsing the JSON; got {answer.status_code} {answer.body}"
    )
    assert aws.queued() == []


@pytest.mark.parametrize("query", ["", "?crc_token=", "?other=1"], ids=["no query", "empty token", "other param"])
def test_crc_without_a_token_is_a_bad_request(client, aws, query):
    assert client.http.get(WEBHOOK + query).status_code == 400


@pytest.mark.parametrize(
    "parameter",
    [pytest.param(None, id="SSM parameter missing"), pytest.param("not json {", id="SSM parameter not JSON"),
     pytest.param(json.dumps({"consumer_key": "k"}), id="SSM parameter lacks keys")],
)
def test_a_missing_or_broken_secret_is_a_500_that_says_what_to_set_up(client, aws, parameter, caplog):
    ssm = aws_client("ssm")
    ssm.delete_parameter(Name="/whereml/test/x-secrets")
    if parameter is not None:
        ssm.put_parameter(Name="/whereml/test/x-secrets", Value=parameter, Type="SecureString")
    answer = client.http.get(f"{WEBHOOK}?crc_token=abc")
    assert answer.status_code == 500
    assert "setup_aws.py" in answer.body.decode(), "tell the operator how to create the parameter"


def test_the_webhook_answers_without_any_secret_in_its_logs(client, aws, caplog, capsys):
    caplog.set_level("DEBUG")
    post_event(client, {"tweet_create_events": [tweet(P1)]})
    client.http.get(f"{WEBHOOK}?crc_token=abc")
    client.http.post(WEBHOOK, headers={"x-twitter-webhooks-signature": "sha256=x"}, body=b"{}")
    printed = capsys.readouterr()
    for secret in HIDDEN:
        assert secret not in caplog.text + printed.out + printed.err


def test_the_poller_does_nothing_unless_configured(client, aws, x, monkeypatch):
    monkeypatch.setenv("POLL_MENTIONS", "0")
    client.lambda_.invoke("poll_mentions", client.events.generate_cw_event("aws.events", "Scheduled Event", {}, []))
    assert len(x.calls) == 0, "with POLL_MENTIONS=0 the scheduled poller must not call X"


def test_a_stub_reached_through_a_route_is_raised_in_the_test_not_answered_500(client, aws, chalicelib, monkeypatch):
    def stub(*args):
        raise NotImplementedError("TODO 04.1: answer X's CRC challenge in webhook.crc_response")

    monkeypatch.setattr(chalicelib("webhook"), "crc_response", stub)
    with pytest.raises(NotImplementedError, match="TODO 04.1"):
        client.http.get(f"{WEBHOOK}?crc_token=abc")  # test-step then says the stub is still there

"""The bot on today's X, end to end: X Activity API deliveries, exactly one reply whatever X answers, and each
failure in its bin (retried, dropped, or recorded as uncertain)."""
import json
import time

import pytest
import requests
import responses

from bot_stand_ins import (
    API,
    BOT_ID,
    P1,
    allow_reply,
    aws_client,
    deliver,
    mention_delivery,
    photo_of,
    post_event,
    post_photo_of,
    problem,
    replies,
    serve_photo,
    serve_post,
    tweet,
)

TWEETS = f"{API}/2/tweets"


def deliver_again_and_again(client, aws, times=5):
    """SQS hands a failed message back after its visibility timeout, up to five times in all."""
    for _ in range(times):
        deliver(client, aws)
        aws.time_passes()


def test_an_activity_mention_with_its_media_gets_exactly_one_reply(client, aws, x):
    assert post_event(client, mention_delivery(P1)).json_body == {"queued": 1}
    assert aws.queued() == [{"tweet_id": P1, "photo_url": post_photo_of(P1), "author": "alice"}]
    serve_photo(x, post_photo_of(P1))
    allow_reply(x)
    assert deliver(client, aws) == []
    (reply,) = replies(x)
    assert reply["reply"] == {"in_reply_to_tweet_id": P1}
    assert aws.record(P1)["state"]["S"] == "answered"


def test_an_activity_mention_without_its_media_is_looked_up_then_answered_once(client, aws, x):
    assert post_event(client, mention_delivery(P1, includes_media=False)).json_body == {"queued": 1}
    serve_post(x, P1, media=("video", "photo"))
    serve_photo(x, post_photo_of(P1, 1))
    allow_reply(x)
    assert deliver(client, aws) == []
    lookup = next(call.request for call in x.calls if call.request.url.startswith(f"{TWEETS}/{P1}"))
    assert lookup.params["expansions"] == "attachments.media_keys" and lookup.params["media.fields"] in (
        "type,url", "url,type"), "look the post up with expansions=attachments.media_keys, media.fields=type,url"
    assert len(replies(x)) == 1


@pytest.mark.parametrize("delivery", [mention_delivery(P1, includes_media=False), mention_delivery(P1, media=())],
                         ids=["media attached but not sent", "no attachments, as in X's sample"])
def test_a_looked_up_post_without_a_photo_is_dropped(client, aws, x, caplog, delivery):
    assert post_event(client, delivery).json_body == {"queued": 1}, "without includes.media, let the worker look"
    serve_post(x, P1, media=())
    assert deliver(client, aws) == [] and replies(x) == []
    assert "has no photo" in caplog.text and len(x.calls) == 1


@pytest.mark.parametrize(
    "delivery",
    [
        pytest.param(mention_delivery(author=(BOT_ID, "whereml_bot")), id="the bot's own post"),
        pytest.param(mention_delivery(referenced_tweets=[{"type": "retweeted", "id": "1"}]), id="a repost"),
        pytest.param(mention_delivery(media=("video",)), id="only a video"),
        pytest.param({"data": {**mention_delivery()["data"], "event_type": "post.create"}}, id="another event type"),
        pytest.param({"data": {**mention_delivery()["data"], "filter": {"user_id": "3003"}}}, id="another account"),
        pytest.param({"data": {**mention_delivery()["data"], "payload": "x"}}, id="payload not an object"),
        pytest.param({"data": {**mention_delivery()["data"], "payload": {"id": "../1"}}}, id="post id not a number"),
        pytest.param({"data": "x"}, id="data not an object"),
        pytest.param({"data": {**mention_delivery()["data"], "includes": {"media": [{"media_key": [f"3_{P1}0"]}, 7],
                                                                          "users": "x"}}}, id="odd includes"),
        pytest.param({"for_user_id": BOT_ID, "user_has_blocked": "true", "tweet_create_events": [tweet(P1)]},
                     id="an author the bot has blocked"),
        pytest.param({"user_has_blocked": True, "tweet_create_events": [tweet(P1)]}, id="blocked, as a boolean"),
    ],
)
def test_deliveries_that_are_not_someones_photo_mention_are_acknowledged_and_skipped(client, aws, delivery):
    answer = post_event(client, delivery)
    assert answer.status_code == 200 and answer.json_body == {"queued": 0}, (
        "acknowledge every signed delivery with a 200; queue only someone else's post.mention.create of the bot "
        "(no repost, a photo if X sent the media, not from an author the bot blocked)")
    assert aws.queued() == []


def unreadable_201(x):
    x.add(responses.POST, TWEETS, body="<html>Created</html>", status=201)
    x.off_spec.add(("POST", TWEETS))  # X's answer, broken on purpose


@pytest.mark.parametrize(
    "x_answers",
    [
        pytest.param(unreadable_201, id="201 with a body we cannot read"),
        pytest.param(lambda x: x.add(responses.POST, TWEETS, body=requests.ReadTimeout("read timed out")),
                     id="read timeout"),
        pytest.param(lambda x: x.add(responses.POST, TWEETS, body=requests.ConnectionError("connection reset")),
                     id="connection cut"),
        pytest.param(lambda x: x.add(responses.POST, TWEETS, status=503, json=problem("Service Unavailable", 503)),
                     id="503"),
    ],
)
def test_a_reply_x_may_have_posted_is_never_sent_again(client, aws, x, caplog, x_answers):
    post_event(client, mention_delivery(P1))
    serve_photo(x, post_photo_of(P1))
    x.add(responses.POST, f"{API}/2/media/upload", json={"data": {"id": "7001"}})
    x_answers(x)
    deliver_again_and_again(client, aws)
    post_event(client, mention_delivery(P1))  # X delivers the mention again, too
    deliver_again_and_again(client, aws)
    assert len(replies(x)) == 1, "once the reply request has been sent, never send it again"
    assert aws.record(P1)["state"]["S"] == "uncertain", "record the doubt"
    assert "may or may not be out" in caplog.text


@pytest.mark.parametrize("status", [429, 400], ids=["rate limited", "refused"])
def test_a_reply_x_proves_it_did_not_post_may_be_sent_once_more(client, aws, x, status):
    post_event(client, mention_delivery(P1))
    serve_photo(x, post_photo_of(P1))
    x.add(responses.POST, f"{API}/2/media/upload", json={"data": {"id": "7001"}})
    x.add(responses.POST, TWEETS, status=status, json=problem("No", status))
    x.add(responses.POST, TWEETS, status=201, json={"data": {"id": "9001", "text": "..."}})
    deliver(client, aws)
    aws.time_passes()  # the rate limit's reset
    deliver(client, aws)
    assert len(replies(x)) == (2 if status == 429 else 1)
    assert aws.record(P1)["state"]["S"] == ("answered" if status == 429 else "refused")


@pytest.mark.parametrize(
    "forbidden",
    [problem("Client Forbidden", 403, "https://api.twitter.com/2/problems/client-forbidden",
             "When authenticating requests to the X API v2 endpoints, you must use keys and tokens from an App "
             "attached to a Project."),
     problem("Forbidden", 403, detail="Your client app is not configured with the appropriate oauth1 app "
             "permissions for this endpoint.")],
    ids=["client-forbidden", "oauth1 app permissions"],
)
def test_a_403_for_our_apps_setup_is_retried_and_answered_once_fixed(client, aws, x, caplog, forbidden):
    post_event(client, mention_delivery(P1))
    serve_photo(x, post_photo_of(P1))
    x.add(responses.POST, f"{API}/2/media/upload", json={"data": {"id": "7001"}})
    x.add(responses.POST, TWEETS, status=403, json=forbidden)
    x.add(responses.POST, TWEETS, status=201, json={"data": {"id": "9001", "text": "..."}})
    errors = deliver(client, aws)
    assert [type(e).__name__ for e in errors] == ["NotPermitted"], "our setup: raise, so SQS retries then keeps it"
    assert aws.record(P1) is None, "never record the tweet as refused for our own app's permissions"
    assert "permissions or enrollment" in caplog.text
    aws.time_passes()  # the app's permissions fixed, the message comes back
    assert deliver(client, aws) == []
    assert len(replies(x)) == 2 and aws.record(P1)["state"]["S"] == "answered"


def test_a_worker_that_died_after_marking_the_reply_sending_is_not_followed_by_a_second_reply(client, aws, x, caplog):
    aws_client("dynamodb").put_item(TableName="whereml-test", Item={
        "pk": {"S": f"tweet#{P1}"}, "state": {"S": "sending"}, "lease_until": {"N": str(int(time.time()) - 1)}})
    post_event(client, mention_delivery(P1))
    serve_photo(x, post_photo_of(P1))
    allow_reply(x)
    assert deliver(client, aws) == [] and replies(x) == []
    assert "may be out" in caplog.text


@pytest.mark.parametrize(
    "status, answer, headers",
    [(424, {"ErrorCode": "CLIENT_ERROR_FROM_MODEL", "OriginalStatusCode": 415, "Message": "not an image"},
      {"x-amzn-ErrorType": "ModelError"}),
     (200, {"predictions": [{"lat": float("nan"), "lng": 1.0, "probability": float("nan")}]}, {})],
    ids=["the model's 4xx", "NaN probabilities"],
)
def test_an_answer_the_endpoint_will_never_change_is_dropped_once(
    client, aws, x, endpoint_server, caplog, status, answer, headers
):
    endpoint_server.status, endpoint_server.answer, endpoint_server.headers = status, answer, headers
    queue = {"tweet_id": P1, "photo_url": photo_of(P1), "author": "alice"}
    aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=json.dumps(queue))
    serve_photo(x, photo_of(P1))
    assert deliver(client, aws) == [], "a photo the model refuses, or NaN, will not change: drop it"
    assert caplog.text.count("Dropped") == 1 and len(endpoint_server.requests) == 1 and replies(x) == []


def test_the_model_failing_on_its_side_is_still_retried(client, aws, x, endpoint_server, chalicelib):
    endpoint_server.status, endpoint_server.headers = 424, {"x-amzn-ErrorType": "ModelError"}
    endpoint_server.answer = {"ErrorCode": "SERVER_ERROR_FROM_MODEL", "OriginalStatusCode": 500, "Message": "oops"}
    aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=json.dumps(
        {"tweet_id": P1, "photo_url": photo_of(P1), "author": "alice"}))
    serve_photo(x, photo_of(P1))
    (error,) = deliver(client, aws)
    assert isinstance(error, chalicelib("endpoint").EndpointError)


def test_every_wait_of_the_worker_adds_up_within_its_lambda_timeout(chalicelib, load, tree):
    endpoint, photos, x_client = chalicelib("endpoint"), chalicelib("photos"), chalicelib("x_client")
    config = json.loads((tree / "04_bot" / ".chalice" / "config.json").read_text())
    # botocore's standard retries wait random(0, 1) x 2^n s (at most 20 s) before retry n.
    backoff = sum(min(2**n, 20) for n in range(1, endpoint.ATTEMPTS))
    endpoint_budget = endpoint.ATTEMPTS * (endpoint.CONNECT_TIMEOUT + endpoint.READ_TIMEOUT) + backoff
    x_calls = 3  # look the post up, upload the map, reply
    worst = endpoint_budget + sum(photos.TIMEOUT) + x_calls * sum(x_client.TIMEOUT)
    for stage in config["stages"].values():
        timeout = stage["lambda_functions"]["answer_mention"]["lambda_timeout"]
        assert worst < timeout, (
            f"the endpoint's retries ({endpoint_budget} s), the photo and X's calls can take {worst:.1f} s: "
            f"more than the worker's {timeout} s Lambda timeout")


def test_a_failing_endpoint_is_tried_as_often_as_the_budget_says(client, aws, x, endpoint_server, chalicelib):
    endpoint = chalicelib("endpoint")
    endpoint._runtime.cache_clear()
    endpoint_server.status, endpoint_server.answer = 503, {"message": "busy"}
    aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=json.dumps(
        {"tweet_id": P1, "photo_url": photo_of(P1), "author": "alice"}))
    serve_photo(x, photo_of(P1))
    (error,) = deliver(client, aws)
    assert len(endpoint_server.requests) == endpoint.ATTEMPTS, (
        "botocore's retries count in the budget: set total_max_attempts to ATTEMPTS")

"""chalicelib/worker.py through Lambda's SQS trigger (generate_sqs_event): one reply per tweet, retries, drops."""
import json
import time

import pytest
import responses
from bot_stand_ins import (
    API,
    HIDDEN,
    allow_reply,
    aws_client,
    deliver,
    photo_of,
    post_event,
    problem,
    replies,
    serve_photo,
    tweet,
)


def mention(client, tweet_id="5001", **kwargs):
    """A mention with a photo reaches the webhook, which queues it."""
    assert post_event(client, {"tweet_create_events": [tweet(tweet_id, **kwargs)]}).json_body == {"queued": 1}


def queue_message(aws, body):
    aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=body)


def test_a_mention_gets_one_reply_with_places_flags_and_the_map(client, aws, x, endpoint_server):
    mention(client)
    serve_photo(x, photo_of("5001"))
    allow_reply(x)
    assert deliver(client, aws) == []
    (reply,) = replies(x)
    assert reply["reply"] == {"in_reply_to_tweet_id": "5001"}
    assert reply["media"] == {"media_ids": ["7001"]}, "attach the media id that POST /2/media/upload answered"
    assert reply["text"].splitlines()[0] == "📍 1. Marseille, Provence-Alpes-Cote d'Azur 🇫🇷 43%"
    (request,) = endpoint_server.requests
    assert request["path"] == "/endpoints/whereml-test/invocations"
    assert request["headers"]["Content-Type"] == "image/jpeg" and request["headers"]["Accept"] == "application/json"
    upload = next(call.request for call in x.calls if call.request.url == f"{API}/2/media/upload")
    assert b'name="media_category"' in upload.body and b"tweet_image" in upload.body and b"\x89PNG" in upload.body
    assert upload.headers["Authorization"].startswith(b"OAuth "), "sign the upload with OAuth 1.0a (user context)"
    assert aws.record("5001")["state"]["S"] == "answered"


def test_every_call_to_x_has_a_timeout(client, aws, x):
    mention(client)
    serve_photo(x, photo_of("5001"))
    allow_reply(x)
    deliver(client, aws)
    assert len(x.calls) == 3
    for call in x.calls:
        assert call.request.req_kwargs.get("timeout"), f"{call.request.url} was sent without a timeout"


def test_a_tweet_delivered_twice_gets_exactly_one_reply(client, aws, x, caplog):
    mention(client)
    mention(client)  # X delivered the event twice: two messages
    serve_photo(x, photo_of("5001"))
    allow_reply(x)
    assert deliver(client, aws) == []
    assert len(replies(x)) == 1, "claim the tweet in DynamoDB (a conditional write) before posting"
    assert caplog.text.count("answered already") == 1


@pytest.mark.parametrize("first, photo", [({"long": True}, 0), ({"media": ("photo",) * 4}, 0),
                                          ({"media": ("video", "photo")}, 1)],
                         ids=["long tweet", "four photos", "video then photo"])
def test_the_first_photo_of_a_tweet_is_the_one_sent_to_the_endpoint(client, aws, x, endpoint_server, first, photo):
    mention(client, **first)
    serve_photo(x, photo_of("5001", photo), body=b"\xff\xd8\xff the right photo")
    allow_reply(x)
    assert deliver(client, aws) == []
    assert endpoint_server.requests[0]["body"] == b"\xff\xd8\xff the right photo"


@pytest.mark.parametrize(
    "status, answer",
    [(500, {"message": "model failed"}), (200, {"no": "predictions"}), (200, {"predictions": []}),
     (200, {"predictions": [{"lat": "x"}]})],
    ids=["endpoint error", "not the contract", "no guesses", "bad numbers"],
)
def test_an_endpoint_failure_posts_nothing_and_raises_for_a_retry(
    client, aws, x, endpoint_server, chalicelib, status, answer
):
    endpoint_server.status, endpoint_server.answer = status, answer
    mention(client)
    serve_photo(x, photo_of("5001"))
    allow_reply(x)
    errors = deliver(client, aws)
    assert len(errors) == 1 and isinstance(errors[0], chalicelib("endpoint").EndpointError), (
        "raise when the endpoint fails, so SQS hands the message back later"
    )
    assert replies(x) == [] and aws.record("5001") is None


def test_an_endpoint_that_times_out_posts_nothing_and_raises(client, aws, x, endpoint_server, chalicelib, monkeypatch):
    endpoint = chalicelib("endpoint")
    monkeypatch.setattr(endpoint, "READ_TIMEOUT", 0.3)
    endpoint._runtime.cache_clear()  # a client with the short timeout
    endpoint_server.delay = 0.6
    mention(client)
    serve_photo(x, photo_of("5001"))
    try:
        errors = deliver(client, aws)
    finally:
        endpoint._runtime.cache_clear()
    assert len(errors) == 1 and isinstance(errors[0], endpoint.EndpointError)
    assert replies(x) == []


def test_rate_limited_by_x_the_message_waits_for_the_reset_then_gets_its_reply(client, aws, x, chalicelib):
    mention(client)
    serve_photo(x, photo_of("5001"))
    x.add(responses.POST, f"{API}/2/media/upload", json={"data": {"id": "7001"}})
    reset = int(time.time()) + 600
    x.add(responses.POST, f"{API}/2/tweets", status=429, json=problem("Too Many Requests", 429),
          headers={"x-rate-limit-reset": str(reset)})
    errors = deliver(client, aws)
    assert [type(e).__name__ for e in errors] == ["RateLimited"], "raise on X's 429 so the message comes back"
    assert aws.receive() == [], "hide the message until X's rate limit resets (change_message_visibility)"
    assert aws.record("5001") is None, "give the claim back when the reply did not go out"
    x.replace(responses.POST, f"{API}/2/tweets", status=201, json={"data": {"id": "9001", "text": "..."}})
    aws.time_passes()
    assert deliver(client, aws) == []
    assert len(replies(x)) == 2 and aws.record("5001")["state"]["S"] == "answered"


@pytest.mark.parametrize("status, outcome", [(401, "retried"), (500, "uncertain"), (503, "uncertain"),
                                             (403, "refused"), (404, "refused")])
def test_x_errors_are_retried_dropped_or_recorded_uncertain(client, aws, x, caplog, status, outcome):
    mention(client)
    serve_photo(x, photo_of("5001"))
    allow_reply(x, status=status)
    errors = deliver(client, aws)
    if outcome == "retried":
        assert len(errors) == 1, f"X's {status} proves nothing was posted and may pass (a fixed token): raise"
        assert aws.record("5001") is None, "give the claim back so the retry can post"
    elif outcome == "uncertain":
        assert errors == [], f"after X's {status} the reply may be out: never send it again"
        assert aws.record("5001")["state"]["S"] == "uncertain" and "may or may not be out" in caplog.text
    else:
        assert errors == [], f"X's {status} never passes for this tweet: log it and drop the message"
        assert caplog.text.count("Dropped") == 1
        assert aws.record("5001")["state"]["S"] == "refused"


@pytest.mark.parametrize(
    "body",
    ["not json", json.dumps([1]), json.dumps({"tweet_id": "../../etc", "photo_url": photo_of("1")}),
     json.dumps({"photo_url": photo_of("1")}), json.dumps({"tweet_id": "5001", "photo_url": ["x"]})],
    ids=["not JSON", "not an object", "tweet id not a number", "no tweet id", "photo url not a URL"],
)
def test_a_message_that_is_not_a_work_item_is_dropped_once(client, aws, x, caplog, body):
    queue_message(aws, body)
    assert deliver(client, aws) == []
    assert caplog.text.count("Dropped") == 1 and len(x.calls) == 0


@pytest.mark.parametrize(
    "url, status",
    [("https://evil.example.com/p.jpg", None), ("http://pbs.twimg.com/media/p.jpg", None),
     (photo_of("5001"), 404), (photo_of("5001"), 403)],
    ids=["photo on another host", "photo over http", "photo gone", "photo forbidden"],
)
def test_a_photo_that_can_never_be_had_is_dropped(client, aws, x, endpoint_server, caplog, url, status):
    queue_message(aws, json.dumps({"tweet_id": "5001", "photo_url": url, "author": "alice"}))
    if status:
        serve_photo(x, url, status=status)
    assert deliver(client, aws) == []
    assert caplog.text.count("Dropped") == 1
    assert endpoint_server.requests == [] and replies(x) == []
    assert all(call.request.url == url for call in x.calls), "never fetch a photo from another host"


def test_a_photo_too_big_is_dropped(client, aws, x, chalicelib, caplog):
    mention(client)
    serve_photo(x, photo_of("5001"), body=b"\xff" * (chalicelib("photos").MAX_PHOTO_BYTES + 1))
    assert deliver(client, aws) == []
    assert "larger than" in caplog.text


def test_a_photo_host_hiccup_is_retried(client, aws, x):
    mention(client)
    serve_photo(x, photo_of("5001"), status=503)
    assert len(deliver(client, aws)) == 1 and replies(x) == []


@pytest.mark.parametrize("value", [None, "not json {"], ids=["SSM parameter missing", "SSM parameter not JSON"])
def test_without_readable_secrets_the_worker_raises_a_clear_error(client, aws, x, chalicelib, value):
    ssm = aws_client("ssm")
    ssm.delete_parameter(Name="/whereml/test/x-secrets")
    if value:
        ssm.put_parameter(Name="/whereml/test/x-secrets", Value=value, Type="SecureString")
    queue_message(aws, json.dumps({"tweet_id": "5001", "photo_url": photo_of("5001"), "author": "alice"}))
    serve_photo(x, photo_of("5001"))
    (error,) = deliver(client, aws)
    assert isinstance(error, chalicelib("settings").NotConfigured) and "setup_aws.py" in str(error)
    assert value is None or value not in str(error)


def test_dry_run_prints_the_reply_and_saves_the_map_instead_of_posting(client, aws, x, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DRY_RUN", "1")
    mention(client)
    serve_photo(x, photo_of("5001"))
    assert deliver(client, aws) == []
    printed = capsys.readouterr().out
    assert "📍 1. Marseille" in printed and "🇫🇷" in printed
    assert (tmp_path / "reply-5001.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "reply-5001.txt").read_text(encoding="utf-8") in printed, "the text file holds the reply"
    assert replies(x) == [] and aws.record("5001") is None


def test_no_secret_reaches_a_log_line_or_the_output(client, aws, x, caplog, capsys):
    caplog.set_level("DEBUG")
    for tweet_id, status in (("5001", 201), ("5002", 429), ("5003", 401), ("5004", 403)):
        mention(client, tweet_id)
        serve_photo(x, photo_of(tweet_id))
        allow_reply(x, status)
        deliver(client, aws)
        x.remove(responses.POST, f"{API}/2/tweets")
    printed = capsys.readouterr()
    for secret in HIDDEN:
        assert secret not in caplog.text + printed.out + printed.err, "a credential reached a log line"


@pytest.mark.parametrize("lease_left, replied", [(200, False), (-1, True)],
                         ids=["another worker holds the claim", "the claim's worker died"])
def test_a_claimed_tweet_waits_for_the_lease(client, aws, x, lease_left, replied):
    now = int(time.time())
    aws_client("dynamodb").put_item(TableName="whereml-test", Item={
        "pk": {"S": "tweet#5001"}, "state": {"S": "claimed"}, "lease_until": {"N": str(now + lease_left)}})
    mention(client)
    serve_photo(x, photo_of("5001"))
    allow_reply(x)
    errors = deliver(client, aws)
    assert len(replies(x)) == int(replied)
    assert len(errors) == int(not replied), "a live claim means: look again later (raise), never reply alongside"


def test_a_reply_that_went_out_is_not_retried_even_if_recording_it_fails(client, aws, x, caplog):
    mention(client)
    serve_photo(x, photo_of("5001"))
    x.add(responses.POST, f"{API}/2/media/upload", json={"data": {"id": "7001"}})

    def x_posts_then_dynamodb_fails(request):
        aws_client("dynamodb").delete_table(TableName="whereml-test")
        return 201, {}, json.dumps({"data": {"id": "9001", "text": "..."}})

    x.add_callback(responses.POST, f"{API}/2/tweets", callback=x_posts_then_dynamodb_fails)
    assert deliver(client, aws) == [], "the reply is out: raising now would post it a second time"
    assert "could not record it" in caplog.text

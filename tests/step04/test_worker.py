"""chalicelib/worker.py through Lambda's SQS trigger (generate_sqs_event): one reply per tweet, retries, drops."""
import json
import time

import pytest
import responses

from bot_stand_ins import (
    API,
    HIDDEN,
    P1,
    P2,
    P3,
    P4,
    PREDICTIONS,
    SECRETS,
    allow_reply,
    aws_client,
    deliver,
    mention_delivery,
    photo_of,
    post_event,
    post_id_at,
    post_photo_of,
    problem,
    replies,
    serve_photo,
    serve_post,
    tweet,
)


def mention(client, tweet_id=P1, **kwargs):
    """A mention with a photo reaches the webhook, which queues it."""
    assert post_event(client, {"tweet_create_events": [tweet(tweet_id, **kwargs)]}).json_body == {"queued": 1}


def queue_message(aws, body):
    aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=body)


def test_a_mention_gets_one_reply_with_places_flags_and_the_map(client, aws, x, endpoint_server):
    mention(client)
    serve_photo(x, photo_of(P1))
    allow_reply(x)
    assert deliver(client, aws) == []
    (reply,) = replies(x)
    assert reply["reply"] == {"in_reply_to_tweet_id": P1}
    assert reply["media"] == {"media_ids": ["7001"]}, "attach the media id that POST /2/media/upload answered"
    assert reply["text"].splitlines()[0] == "📍 1. Marseille, Provence-Alpes-Cote d'Azur 🇫🇷 43%"
    (request,) = endpoint_server.requests
    assert request["path"] == "/endpoints/whereml-test/invocations"
    assert request["headers"]["Content-Type"] == "image/jpeg" and request["headers"]["Accept"] == "application/json"
    upload = next(call.request for call in x.calls if call.request.url == f"{API}/2/media/upload")
    assert b'name="media_category"' in upload.body and b"tweet_image" in upload.body and b"\x89PNG" in upload.body
    assert upload.headers["Authorization"].startswith(b"OAuth "), "sign the upload with OAuth 1.0a (user context)"
    assert aws.record(P1)["state"]["S"] == "answered"


def test_every_call_to_x_has_a_timeout(client, aws, x):
    mention(client)
    serve_photo(x, photo_of(P1))
    allow_reply(x)
    deliver(client, aws)
    assert len(x.calls) == 3
    for call in x.calls:
        assert call.request.req_kwargs.get("timeout"), f"{call.request.url} was sent without a timeout"


def test_a_tweet_delivered_twice_gets_exactly_one_reply(client, aws, x, caplog):
    mention(client)
    mention(client)  # X delivered the event twice: two messages
    serve_photo(x, photo_of(P1))
    allow_reply(x)
    assert deliver(client, aws) == []
    assert len(replies(x)) == 1, "claim the tweet in DynamoDB (a conditional write) before posting"
    assert caplog.text.count("answered already") == 1


@pytest.mark.parametrize("first, photo", [({"long": True}, 0), ({"media": ("photo",) * 4}, 0),
                                          ({"media": ("video", "photo")}, 1)],
                         ids=["long tweet", "four photos", "video then photo"])
def test_the_first_photo_of_a_tweet_is_the_one_sent_to_the_endpoint(client, aws, x, endpoint_server, first, photo):
    mention(client, **first)
    serve_photo(x, photo_of(P1, photo), body=b"\xff\xd8\xff the right photo")
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
    serve_photo(x, photo_of(P1))
    allow_reply(x)
    errors = deliver(client, aws)
    assert len(errors) == 1 and isinstance(errors[0], chalicelib("endpoint").EndpointError), (
        "raise when the endpoint fails, so SQS hands the message back later"
    )
    assert replies(x) == [] and aws.record(P1) is None


def test_an_endpoint_that_times_out_posts_nothing_and_raises(client, aws, x, endpoint_server, chalicelib, monkeypatch):
    endpoint = chalicelib("endpoint")
    monkeypatch.setattr(endpoint, "READ_TIMEOUT", 0.3)
    endpoint._runtime.cache_clear()  # a client with the short timeout
    endpoint_server.delay = 0.6
    mention(client)
    serve_photo(x, photo_of(P1))
    try:
        errors = deliver(client, aws)
    finally:
        endpoint._runtime.cache_clear()
    assert len(errors) == 1 and isinstance(errors[0], endpoint.EndpointError)
    assert replies(x) == []


def test_rate_limited_by_x_the_message_waits_for_the_reset_then_gets_its_reply(client, aws, x, chalicelib):
    mention(client)
    serve_photo(x, photo_of(P1))
    x.add(responses.POST, f"{API}/2/media/upload", json={"data": {"id": "7001"}})
    reset = int(time.time()) + 600
    x.add(responses.POST, f"{API}/2/tweets", status=429, json=problem("Too Many Requests", 429),
          headers={"x-rate-limit-reset": str(reset)})
    errors = deliver(client, aws)
    assert [type(e).__name__ for e in errors] == ["RateLimited"], "raise on X's 429 so the message comes back"
    assert aws.receive() == [], "hide the message until X's rate limit resets (change_message_visibility)"
    assert aws.record(P1) is None, "give the claim back when the reply did not go out"
    x.replace(responses.POST, f"{API}/2/tweets", status=201, json={"data": {"id": "9001", "text": "..."}})
    aws.time_passes()
    assert deliver(client, aws) == []
    assert len(replies(x)) == 2 and aws.record(P1)["state"]["S"] == "answered"


@pytest.mark.parametrize("status, outcome", [(401, "retried"), (500, "uncertain"), (503, "uncertain"),
                                             (403, "refused"), (404, "refused")])
def test_x_errors_are_retried_dropped_or_recorded_uncertain(client, aws, x, caplog, status, outcome):
    mention(client)
    serve_photo(x, photo_of(P1))
    allow_reply(x, status=status)
    errors = deliver(client, aws)
    if outcome == "retried":
        assert len(errors) == 1, f"X's {status} proves nothing was posted and may pass (a fixed token): raise"
        assert aws.record(P1) is None, "give the claim back so the retry can post"
    elif outcome == "uncertain":
        assert errors == [], f"after X's {status} the reply may be out: never send it again"
        assert aws.record(P1)["state"]["S"] == "uncertain" and "may or may not be out" in caplog.text
    else:
        assert errors == [], f"X's {status} never passes for this tweet: log it and drop the message"
        assert caplog.text.count("Dropped") == 1
        assert aws.record(P1)["state"]["S"] == "refused"


@pytest.mark.parametrize(
    "body",
    ["not json", json.dumps([1]), json.dumps({"tweet_id": "../../etc", "photo_url": photo_of("1")}),
     json.dumps({"photo_url": photo_of("1")}), json.dumps({"tweet_id": P1, "photo_url": ["x"]})],
    ids=["not JSON", "not an object", "tweet id not a number", "no tweet id", "photo url not a URL"],
)
def test_a_message_that_is_not_a_work_item_is_dropped_once(client, aws, x, caplog, body):
    queue_message(aws, body)
    assert deliver(client, aws) == []
    assert caplog.text.count("Dropped") == 1 and len(x.calls) == 0


@pytest.mark.parametrize(
    "url, status",
    [("https://evil.example.com/p.jpg", None), ("http://pbs.twimg.com/media/p.jpg", None),
     (photo_of(P1), 404), (photo_of(P1), 403)],
    ids=["photo on another host", "photo over http", "photo gone", "photo forbidden"],
)
def test_a_photo_that_can_never_be_had_is_dropped(client, aws, x, endpoint_server, caplog, url, status):
    queue_message(aws, json.dumps({"tweet_id": P1, "photo_url": url, "author": "alice"}))
    if status:
        serve_photo(x, url, status=status)
    assert deliver(client, aws) == []
    assert caplog.text.count("Dropped") == 1
    assert endpoint_server.requests == [] and replies(x) == []
    assert all(call.request.url == url for call in x.calls), "never fetch a photo from another host"


def test_a_photo_too_big_is_dropped(client, aws, x, chalicelib, caplog):
    mention(client)
    serve_photo(x, photo_of(P1), body=b"\xff" * (chalicelib("photos").MAX_PHOTO_BYTES + 1))
    assert deliver(client, aws) == []
    assert "larger than" in caplog.text


def test_a_photo_host_hiccup_is_retried(client, aws, x):
    mention(client)
    serve_photo(x, photo_of(P1), status=503)
    assert len(deliver(client, aws)) == 1 and replies(x) == []


@pytest.mark.parametrize("value", [None, "not json {"], ids=["SSM parameter missing", "SSM parameter not JSON"])
def test_without_readable_secrets_the_worker_raises_a_clear_error(client, aws, x, chalicelib, value):
    ssm = aws_client("ssm")
    ssm.delete_parameter(Name="/whereml/test/x-secrets")
    if value:
        ssm.put_parameter(Name="/whereml/test/x-secrets", Value=value, Type="SecureString")
    queue_message(aws, json.dumps({"tweet_id": P1, "photo_url": photo_of(P1), "author": "alice"}))
    serve_photo(x, photo_of(P1))
    (error,) = deliver(client, aws)
    assert isinstance(error, chalicelib("settings").NotConfigured) and "setup_aws.py" in str(error)
    assert value is None or value not in str(error)


def test_dry_run_prints_the_reply_and_saves_the_map_instead_of_posting(client, aws, x, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DRY_RUN", "1")
    mention(client)
    serve_photo(x, photo_of(P1))
    assert deliver(client, aws) == []
    printed = capsys.readouterr().out
    assert "📍 1. Marseille" in printed and "🇫🇷" in printed
    assert (tmp_path / f"reply-{P1}.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / f"reply-{P1}.txt").read_text(encoding="utf-8") in printed, "the text file holds the reply"
    assert replies(x) == [] and aws.record(P1) is None


def test_no_secret_reaches_a_log_line_or_the_output(client, aws, x, caplog, capsys):
    caplog.set_level("DEBUG")
    for tweet_id, status in ((P1, 201), (P2, 429), (P3, 401), (P4, 403)):
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
        "pk": {"S": f"tweet#{P1}"}, "state": {"S": "claimed"}, "lease_until": {"N": str(now + lease_left)}})
    mention(client)
    serve_photo(x, photo_of(P1))
    allow_reply(x)
    errors = deliver(client, aws)
    assert len(replies(x)) == int(replied)
    assert len(errors) == int(not replied), "a live claim means: look again later (raise), never reply alongside"


def test_a_reply_that_went_out_is_not_retried_even_if_recording_it_fails(client, aws, x, caplog):
    mention(client)
    serve_photo(x, photo_of(P1))
    x.add(responses.POST, f"{API}/2/media/upload", json={"data": {"id": "7001"}})

    def x_posts_then_dynamodb_fails(request):
        aws_client("dynamodb").delete_table(TableName="whereml-test")
        return 201, {}, json.dumps({"data": {"id": "9001", "text": "..."}})

    x.add_callback(responses.POST, f"{API}/2/tweets", callback=x_posts_then_dynamodb_fails)
    assert deliver(client, aws) == [], "the reply is out: raising now would post it a second time"
    assert "could not record it" in caplog.text


DAY = 24 * 3600


@pytest.mark.parametrize(
    "tweet_id",
    ["0" + P1, "５００１", "٥٠٠١", "9" * 20, "9" * 5000, str(2**63), post_id_at(time.time() - 31 * DAY), "5001"],
    ids=["leading zero", "fullwidth digits", "Arabic-Indic digits", "20 digits", "5,000 digits", "2**63",
         "31 days old (a replay)", "a post of 2006"],
)
def test_a_work_item_with_an_odd_or_old_post_id_is_dropped_at_once(client, aws, x, endpoint_server, caplog, tweet_id):
    queue_message(aws, json.dumps({"tweet_id": tweet_id, "photo_url": photo_of("5001"), "author": "alice"}))
    serve_photo(x, photo_of("5001"))
    allow_reply(x)
    assert deliver(client, aws) == [], "a post id that can never be answered is dropped now, not retried into the DLQ"
    assert caplog.text.count("Dropped") == 1 and replies(x) == [] and endpoint_server.requests == []


def test_a_post_id_with_a_leading_zero_gets_no_second_reply(client, aws, x):
    mention(client, P1)
    serve_photo(x, photo_of(P1))
    allow_reply(x)
    deliver(client, aws)
    queue_message(aws, json.dumps({"tweet_id": "0" + P1, "photo_url": photo_of(P1), "author": "alice"}))
    deliver(client, aws)
    assert len(replies(x)) == 1, f"'0{P1}' names post {P1}: it must not be answered a second time"


def test_a_replayed_delivery_of_an_old_post_gets_no_second_reply(client, aws, x):
    old = post_id_at(time.time() - 40 * DAY)  # answered 40 days ago; its dedupe record has expired since
    assert aws.record(old) is None
    for delivery in ({"tweet_create_events": [tweet(old)]}, mention_delivery(old)):
        assert post_event(client, delivery).json_body == {"queued": 0}
    queue_message(aws, json.dumps({"tweet_id": old, "photo_url": photo_of(old), "author": "alice"}))
    serve_photo(x, photo_of(old))
    allow_reply(x)
    assert deliver(client, aws) == [] and replies(x) == []


BAD_ANSWERS = {
    "latitude 95": {"lat": 95},
    "longitude -500": {"lng": -500},
    "probability 1e300": {"probability": 1e300},
    "probability -3": {"probability": -3},
    "probability true": {"probability": True},
    "probability as text": {"probability": "0.5"},
    "a 400-digit latitude": {"lat": 10**400},
    "place not text": {"place": 7},
    "place of 5,000 characters": {"place": "a" * 5000},
    "country code of three letters": {"country_code": "FRA"},
    "country code not ASCII": {"country_code": "ÉS"},
}


@pytest.mark.parametrize("change", BAD_ANSWERS.values(), ids=BAD_ANSWERS.keys())
def test_an_answer_out_of_range_or_type_is_logged_and_never_posted(client, aws, x, endpoint_server, chalicelib,
                                                                   caplog, change):
    endpoint_server.answer = {"predictions": [dict(PREDICTIONS[0], **change)] + PREDICTIONS[1:], "model": "t"}
    mention(client)
    serve_photo(x, photo_of(P1))
    allow_reply(x)
    errors = deliver(client, aws)
    assert [type(error) for error in errors] == [chalicelib("endpoint").EndpointError], (
        "an answer outside the contract is the endpoint's fault: raise EndpointError (retried, then in the DLQ)"
    )
    assert replies(x) == [] and "nothing is posted" in caplog.text


@pytest.mark.parametrize("guesses", [0, 11], ids=["no guess", "eleven guesses"])
def test_an_answer_with_too_few_or_too_many_guesses_is_never_posted(client, aws, x, endpoint_server, chalicelib,
                                                                     guesses):
    endpoint_server.answer = {"predictions": (PREDICTIONS * 4)[:guesses], "model": "t"}
    mention(client)
    serve_photo(x, photo_of(P1))
    allow_reply(x)
    assert [type(error) for error in deliver(client, aws)] == [chalicelib("endpoint").EndpointError]
    assert replies(x) == []


HOSTILE_NAMES = {
    "a mention and a link": "@victim https://evil.example/x",
    "a fullwidth mention": "＠victim",
    "a bare domain": "evil.example",
    "a domain in the region": "Paris evil.com",
    "a hashtag and a cashtag": "#spam $SPAM",
    "control characters": "Par\x00is\u202e\r\n@victim",
    "a line break before a mention": "Paris\n@victim",
}


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_a_place_name_never_mentions_tags_or_links(client, aws, x, endpoint_server, name):
    endpoint_server.answer = {"predictions": [dict(PREDICTIONS[0], place=name, admin1=name)], "model": "t"}
    mention(client)
    serve_photo(x, photo_of(P1))
    allow_reply(x)
    assert deliver(client, aws) == []
    (reply,) = replies(x)
    text = reply["text"]
    marks = ("@", "＠", "#", "$", "://", "evil.example", "evil.com", "\x00", "\u202e")
    assert not any(mark in text for mark in marks), (
        f"the reply {text!r} could mention, tag or link: keep only the plain words of a place name"
    )
    assert len(text.splitlines()) == 1 and text.startswith("📍 1. ")


@pytest.mark.parametrize("hours_ahead", [12, 12.5, 72], ids=["12 hours", "12.5 hours", "3 days"])
def test_a_rate_limit_reset_far_ahead_hides_the_message_as_long_as_sqs_allows(client, aws, x, chalicelib, caplog,
                                                                              hours_ahead):
    mention(client)
    serve_photo(x, photo_of(P1))
    x.add(responses.POST, f"{API}/2/media/upload", json={"data": {"id": "7001"}})
    reset = int(time.time() + hours_ahead * 3600)
    x.add(responses.POST, f"{API}/2/tweets", status=429, json=problem("Too Many Requests", 429),
          headers={"x-rate-limit-reset": str(reset)})
    errors = deliver(client, aws)
    assert [type(e).__name__ for e in errors] == ["RateLimited"], "still X's rate limit, not SQS's ClientError"
    assert aws.receive() == [], "hide the message for as long as SQS allows (12 hours from its receipt, at most)"
    assert "did not take" not in caplog.text


READ_PATHS = ["reply", "post lookup", "poller"]


@pytest.mark.parametrize("path", READ_PATHS)
def test_no_credential_or_signature_is_logged_even_at_debug(client, aws, x, caplog, path):
    caplog.set_level("DEBUG")  # the root logger and its handler: every library logs all it has
    if path == "poller":
        x.add(responses.GET, f"{API}/2/users/1001/mentions", json={"meta": {"result_count": 0}})
        client.lambda_.invoke("poll_mentions", client.events.generate_cw_event("aws.events", "Scheduled Event", {}, []))
    else:
        post_event(client, mention_delivery(P1, includes_media=path == "reply"))
        serve_post(x, P1)
        serve_photo(x, post_photo_of(P1))
        allow_reply(x)
        assert deliver(client, aws) == []
    assert any(str(call.request.headers.get("Authorization", "")).startswith(("OAuth ", "b'OAuth "))
               for call in x.calls), "a signed request was made"
    logged = caplog.text
    for secret in list(SECRETS.values()) + ["oauth_signature"]:
        assert secret not in logged, f"{secret} reached a log line: keep oauthlib's loggers above DEBUG"

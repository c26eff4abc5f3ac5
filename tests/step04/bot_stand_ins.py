"""What step 04's tests put in place of the outside world, and the moves the outside world makes: X's events and
answers, Lambda's SQS trigger, and the SageMaker endpoint (a tiny server on 127.0.0.1 speaking the runtime path)."""
import contextlib
import functools
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import responses
from moto import mock_aws

from workshop import x_stand_in

SECRETS = {
    "consumer_key": "ck-public-1111",
    "consumer_secret": "cs-SECRET-2222-consumer",
    "access_token": "at-public-3333",
    "access_token_secret": "ats-SECRET-4444-access",
    "bearer_token": "bt-SECRET-5555-bearer",
}
HIDDEN = [SECRETS[key] for key in ("consumer_secret", "access_token_secret", "bearer_token")]
BOT_ID = "1001"
ENV = {
    "ENDPOINT_NAME": "whereml-test",
    "QUEUE_NAME": "whereml-test-work",
    "TABLE_NAME": "whereml-test",
    "X_SECRETS_PARAM": "/whereml/test/x-secrets",
    "BOT_USER_ID": BOT_ID,
    "BOT_SCREEN_NAME": "whereml_bot",
    "DRY_RUN": "0",
    "POLL_MENTIONS": "1",
}
API = "https://api.twitter.com"
post_id_at = x_stand_in.post_id_at


# Posts made as the tests start: the bot answers only posts younger than its dedupe window.
P1, P2, P3, P4 = (post_id_at(time.time(), sequence) for sequence in (1, 2, 3, 4))
PREDICTIONS = [
    {"lat": 43.30, "lng": 5.37, "probability": 0.434, "cell": "12c9", "place": "Marseille",
     "admin1": "Provence-Alpes-Cote d'Azur", "country_code": "FR"},
    {"lat": 41.39, "lng": 2.17, "probability": 0.21, "cell": "12a4", "place": "Barcelona", "admin1": "Catalonia",
     "country_code": "ES"},
    {"lat": 44.41, "lng": 8.93, "probability": 0.05, "cell": "12d1", "place": "Genoa", "admin1": "Liguria",
     "country_code": "IT"},
]
JPEG = b"\xff\xd8\xff\xe0" + b"a photo" * 10
# The tests' own clients: one session, one client a service, made once rather than in every test (after moto's
# import, which hooks every botocore session made from then on).
_SESSION = boto3.session.Session()


@functools.cache
def aws_client(service):
    return _SESSION.client(service)


class Endpoint(ThreadingHTTPServer):
    """POST /endpoints/<name>/invocations, answering what a test sets (status, JSON, delay), recording requests."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Invocations)
        self.reset()

    def reset(self):
        self.status, self.answer, self.delay, self.requests = 200, {"predictions": PREDICTIONS, "model": "t"}, 0, []
        self.headers = {}

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Invocations(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        time.sleep(server.delay)
        payload = json.dumps(server.answer).encode()
        self.send_response(server.status)
        for name, value in {"Content-Type": "application/json", **server.headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


class Aws:
    """The bot's queue and table in moto, read the way the tests need."""

    def __init__(self):
        self.sqs = aws_client("sqs")
        self.queue_url = self.sqs.get_queue_url(QueueName=ENV["QUEUE_NAME"])["QueueUrl"]
        self.hidden = []  # receipt handles of messages the worker failed on

    def receive(self):
        answer = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
        return answer.get("Messages", [])

    def queued(self):
        """The work items waiting in the queue (they stay there)."""
        messages = self.receive()
        for message in messages:
            self.sqs.change_message_visibility(
                QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        return [json.loads(message["Body"]) for message in messages]

    def time_passes(self):
        """The messages the worker failed on come back, as after their visibility timeout."""
        for handle in self.hidden:
            self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
        self.hidden = []

    def record(self, tweet_id):
        key = {"pk": {"S": f"tweet#{tweet_id}"}}
        return aws_client("dynamodb").get_item(TableName=ENV["TABLE_NAME"], Key=key).get("Item")


@contextlib.contextmanager
def moto_with_bot_resources():
    """moto, in-process, with the bot's queue (and dead-letter queue), table and SSM parameter."""
    with mock_aws():
        yield create_bot_resources()


def create_bot_resources():
    """The queue with its dead-letter queue, the table and the SSM parameter, as setup_aws.py makes them."""
    sqs = aws_client("sqs")
    dlq = sqs.create_queue(QueueName=ENV["QUEUE_NAME"] + "-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
    sqs.create_queue(QueueName=ENV["QUEUE_NAME"], Attributes={"VisibilityTimeout": "720", "RedrivePolicy": redrive})
    aws_client("dynamodb").create_table(
        TableName=ENV["TABLE_NAME"],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    aws_client("ssm").put_parameter(Name=ENV["X_SECRETS_PARAM"], Value=json.dumps(SECRETS), Type="SecureString")
    return Aws()


def signature(body, secret=SECRETS["consumer_secret"]):
    """X's x-twitter-webhooks-signature for `body` (with the stage's consumer secret unless told another)."""
    return x_stand_in.signature(body, secret)


def post_event(client, event):
    """POST an Account Activity event the way X does: JSON, signed with the consumer secret."""
    body = json.dumps(event).encode()
    headers = {"content-type": "application/json", "x-twitter-webhooks-signature": signature(body)}
    return client.http.post("/twitter/webhook", headers=headers, body=body)


def tweet(tweet_id=P1, media=("photo",), author=("2002", "alice"), mentions=(BOT_ID,), long=False, **extra):
    """A v1.1 tweet object as Account Activity delivers it; `media` lists the kinds attached, in order."""
    items = [
        {"type": kind, "media_url_https": f"https://pbs.twimg.com/media/F{tweet_id}-{n}.jpg"}
        for n, kind in enumerate(media)
    ]
    entities = {"user_mentions": [{"id_str": m, "screen_name": f"user{m}"} for m in mentions]}
    body = {"id_str": tweet_id, "user": {"id_str": author[0], "screen_name": author[1]}, **extra}
    if long:  # truncated to 140 characters: the full entities and media sit under extended_tweet
        body.update(truncated=True, entities={"user_mentions": []})
        body["extended_tweet"] = {"full_text": "a long text " * 30, "entities": entities}
        if items:
            body["extended_tweet"]["extended_entities"] = {"media": items}
    else:
        body["entities"] = entities
        if items:
            body["extended_entities"] = {"media": items}
    return body


def photo_of(tweet_id, n=0):
    return f"https://pbs.twimg.com/media/F{tweet_id}-{n}.jpg"


def deliver(client, aws):
    """Lambda's SQS trigger: hand each visible message to the worker; delete it when the worker returns."""
    errors = []
    for message in aws.receive():
        event = client.events.generate_sqs_event(message_bodies=[message["Body"]], queue_name=ENV["QUEUE_NAME"])
        event["Records"][0]["receiptHandle"] = message["ReceiptHandle"]
        try:
            client.lambda_.invoke("answer_mention", event)
        except Exception as error:  # the message stays; SQS hands it back after its visibility timeout
            errors.append(error)
            aws.hidden.append(message["ReceiptHandle"])
        else:
            aws.sqs.delete_message(QueueUrl=aws.queue_url, ReceiptHandle=message["ReceiptHandle"])
    return errors


def problem(title, status, kind="about:blank", detail=None):
    """One of X's error answers, as its guide to errors (x-api/fundamentals/response-codes-and-errors) shows them."""
    return {"title": title, "detail": detail or title, "type": kind, "status": status}


def mention_delivery(post_id=P1, author=("2002", "alice"), media=("photo",), includes_media=True, **extra):
    """An X Activity API `post.mention.create` delivery of a mention of the bot, laid out field for field like the
    sample in X's docs (x-api/activity/event-payloads): the envelope, a v2 Post as payload, includes.users.
    `media` lists the kinds attached; with includes_media=False they are attached but X sent no includes.media."""
    keys = [f"3_{post_id}{n}" for n in range(len(media))]
    post = {
        "edit_history_tweet_ids": [post_id], "conversation_id": post_id, "text": "@whereml_bot where is this?",
        "entities": {"mentions": [{"start": 0, "end": 12, "username": "whereml_bot", "id": BOT_ID}]},
        "author_id": author[0], "possibly_sensitive": False, "reply_settings": "everyone", "id": post_id,
        "lang": "en", **extra,
    }
    if keys:
        post["attachments"] = {"media_keys": keys}
    includes = {"users": [{"id": author[0], "name": author[1].title(), "username": author[1]},
                          {"id": BOT_ID, "name": "WhereML", "username": "whereml_bot"}],
                "tweets": [dict(post)]}
    if includes_media and keys:
        includes["media"] = [{"media_key": key, "type": kind, "url": f"https://pbs.twimg.com/media/P{post_id}-{n}.jpg"}
                             for n, (key, kind) in enumerate(zip(keys, media))]
    return {"data": {"event_uuid": "2080765813578191303", "filter": {"user_id": BOT_ID},
                     "event_type": "post.mention.create", "tag": "whereml", "payload": post, "includes": includes}}


def post_photo_of(post_id, n=0):
    return f"https://pbs.twimg.com/media/P{post_id}-{n}.jpg"


def serve_post(x, post_id=P1, media=("photo",)):
    """X answers GET /2/tweets/:id with the post and its media (expansions=attachments.media_keys)."""
    keys = [f"3_{post_id}{n}" for n in range(len(media))]
    data = {"id": post_id, "text": "@whereml_bot where is this?", "edit_history_tweet_ids": [post_id]}
    if keys:
        data["attachments"] = {"media_keys": keys}
    body = {"data": data, "includes": {"media": [
        {"media_key": key, "type": kind, "url": post_photo_of(post_id, n)}
        for n, (key, kind) in enumerate(zip(keys, media))]}}
    x.add(responses.GET, f"{API}/2/tweets/{post_id}", json=body)


def serve_photo(x, url, status=200, body=JPEG):
    """X's media host has the photo (or answers `status`)."""
    x.add(responses.GET, url, body=body, status=status, content_type="image/jpeg")


def allow_reply(x, status=201, headers=None):
    """X takes the map upload, and answers `status` to the reply."""
    x.add(responses.POST, f"{API}/2/media/upload", json={"data": {"id": "7001", "media_key": "3_7001"}})
    body = {"data": {"id": "9001", "text": "..."}} if status == 201 else problem("Error", status)
    x.add(responses.POST, f"{API}/2/tweets", json=body, status=status, headers=headers)


def replies(x):
    """The replies the bot posted (or tried to)."""
    return [json.loads(call.request.body) for call in x.calls if call.request.url == f"{API}/2/tweets"]


class PhotoBot:
    """Another account's photo bot, facing ours: it mentions our bot with a photo, then answers each of our replies
    with a photo and a mention again. `post(n)` is its n-th post (n=0 starts the conversation), as the fields of a v2
    Post (X Activity deliveries, mentions pages) or of a v1.1 tweet (Account Activity)."""

    ID, NAME = "3003", "otherbot"

    def __init__(self):
        self.started = time.time()

    def post_id(self, n):
        return post_id_at(self.started, 100 + n)

    def post(self, n, our_reply_id="9001"):
        """The v2 Post fields of its n-th post: from n=1 on, a reply to ours."""
        fields = {"conversation_id": self.post_id(0)}
        if n:
            fields.update(in_reply_to_user_id=BOT_ID, referenced_tweets=[{"type": "replied_to", "id": our_reply_id}])
        return fields

    def tweet(self, n, our_reply_id="9001"):
        """The v1.1 tweet of its n-th post."""
        fields = {"in_reply_to_user_id_str": BOT_ID, "in_reply_to_status_id_str": our_reply_id} if n else {}
        return tweet(self.post_id(n), author=(self.ID, self.NAME), **fields)

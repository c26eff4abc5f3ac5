"""What stands in for AWS and X: fake credentials, moto in this process, `responses` as X's media host, and a
mention of the bot signed as X signs it."""
import contextlib
import os
import time

import responses
from moto import mock_aws

from workshop import x_stand_in
from workshop.paths import ROOT

PHOTO_URL = "https://pbs.twimg.com/media/whereml-demo.jpg"

# Fake credentials replace any real ones in this process and the processes it starts, so that nothing can reach a
# real AWS account or X. setup_aws.py stores the X ones in moto's SSM, where the webhook reads its secret.
OFFLINE = {
    "AWS_ACCESS_KEY_ID": "whereml-demo",
    "AWS_SECRET_ACCESS_KEY": "whereml-demo",
    "AWS_SESSION_TOKEN": "whereml-demo",
    "AWS_SECURITY_TOKEN": "whereml-demo",
    "AWS_DEFAULT_REGION": "us-west-2",
    "AWS_REGION": "us-west-2",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "SAGEMAKER_USER_CONFIG_OVERRIDE": str(ROOT / "sagemaker-config.yaml"),
    "X_CONSUMER_KEY": "demo-consumer-key",
    "X_CONSUMER_SECRET": "demo-consumer-secret",
    "X_ACCESS_TOKEN": "demo-access-token",
    "X_ACCESS_TOKEN_SECRET": "demo-access-token-secret",
    "X_BEARER_TOKEN": "demo-bearer-token",
}


def go_offline():
    """Fake credentials and a region in place of whatever is set, and no endpoint overrides but ours."""
    for name in list(os.environ):
        if name == "AWS_PROFILE" or name.startswith(("AWS_ENDPOINT_URL", "AWS_CONTAINER_", "AWS_WEB_IDENTITY")):
            del os.environ[name]
    os.environ.update(OFFLINE)


@contextlib.contextmanager
def aws_and_x(jpeg):
    """moto answers AWS in this process; `responses` serves the photo as X's media host and refuses anything else
    but the local endpoint."""
    with mock_aws(), x_stand_in.x_api() as x:
        x.add_passthru("http://127.0.0.1")
        x.add(responses.GET, PHOTO_URL, body=jpeg, content_type="image/jpeg")
        yield


def mention(settings):
    """An X Activity API delivery: someone mentions the bot in a post with a photo (a v2 Post, its media in
    includes.media, named by the post's attachments.media_keys)."""
    bot_id, bot_name = settings["BOT_USER_ID"], settings["BOT_SCREEN_NAME"]
    post_id = x_stand_in.post_id_at(time.time())  # X's post ids carry their time: the bot answers only recent posts
    post = {
        "id": post_id,
        "text": f"@{bot_name} where was this taken?",
        "author_id": "2",
        "edit_history_tweet_ids": [post_id],
        "entities": {"mentions": [{"start": 0, "end": len(bot_name) + 1, "username": bot_name, "id": bot_id}]},
        "attachments": {"media_keys": ["3_1"]},
    }
    includes = {
        "media": [{"media_key": "3_1", "type": "photo", "url": PHOTO_URL}],
        "users": [{"id": "2", "name": "Demo Attendee", "username": "demo_attendee"}],
    }
    return {"data": {"filter": {"user_id": bot_id}, "event_type": "post.mention.create", "payload": post,
                     "includes": includes}}


def x_signature(body):
    """What X puts in x-twitter-webhooks-signature: HMAC-SHA256 of the body with the consumer secret, base64."""
    return x_stand_in.signature(body, OFFLINE["X_CONSUMER_SECRET"])

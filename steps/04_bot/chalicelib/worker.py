"""The SQS worker: a work item -> the photo -> the endpoint's guesses -> the reply text and map -> one reply.

What can never succeed is dropped and logged once (the message is done); what may succeed later raises, so SQS
hands the message back after its visibility timeout, and the dead-letter queue keeps it after five tries.
"""
import json
import logging
import os
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import dedupe, endpoint, photos, secrets, settings, work_queue
from chalicelib.map_image import draw_map
from chalicelib.reply import reply_text
from chalicelib.x_client import RateLimited, Refused, XClient

log = logging.getLogger(__name__)


class BadWorkItem(ValueError):
    """A queue message that is not a work item the webhook or the poller would write."""


@dataclass(frozen=True)
class Reply:
    text: str
    image: bytes  # PNG


def parse(body):
    """The work item in a queue message: {"tweet_id": digits, "photo_url": ..., "author": ...}."""
    try:
        item = json.loads(body)
    except ValueError:
        raise BadWorkItem("the message is not JSON") from None
    if not (isinstance(item, dict) and str(item.get("tweet_id", "")).isdigit() and item.get("photo_url")):
        raise BadWorkItem("the message needs a numeric tweet_id and a photo_url")
    return item


def compose(item, config):
    """The reply to one work item: the photo's top guesses as text and as a map."""
    predictions = endpoint.predict(config.endpoint_name, photos.download(item["photo_url"]))
    return Reply(text=reply_text(predictions), image=draw_map(predictions))


def save_dry_run(tweet_id, reply, config):
    """DRY_RUN: print the reply and save the map (in DRY_RUN_DIR) instead of posting."""
    path = os.path.join(config.dry_run_dir, f"reply-{tweet_id}.png")
    with open(path, "wb") as file:
        file.write(reply.image)
    print(f"DRY_RUN: @{config.bot_screen_name} would reply to tweet {tweet_id} (map: {path}):\n{reply.text}")
    return path


def post(item, reply, config):
    """Post the reply once: claim the tweet, upload the map, reply, then record the answer."""
    tweet_id = item["tweet_id"]
    x = XClient(secrets.load(config.secrets_param))
    dedupe.claim(config.table_name, tweet_id)
    try:
        reply_id = x.reply(tweet_id, reply.text, x.upload_image(reply.image))
    except Refused:
        dedupe.settle(config.table_name, tweet_id, "refused")
        raise
    except BaseException:
        dedupe.release(config.table_name, tweet_id)  # X has no reply: let a retry take the tweet again
        raise
    # A crash between X taking the reply and this line is the one window left: see the step README.
    try:
        dedupe.settle(config.table_name, tweet_id, "answered", reply_id)
    except (BotoCoreError, ClientError) as error:  # the reply is out: a retry now would post it twice
        log.error("Answered tweet %s with %s but could not record it: %s", tweet_id, reply_id, error)
        return
    log.info("Answered tweet %s with %s", tweet_id, reply_id)


def handle(body, receipt_handle):
    """Answer the work item in one queue message, or drop it (logged once), or raise to have it retried."""
    config = settings.load()
    try:
        item = parse(body)
        reply = compose(item, config)
        if config.dry_run:
            save_dry_run(item["tweet_id"], reply, config)
        else:
            post(item, reply, config)
    except (BadWorkItem, photos.PhotoUnavailable, Refused, dedupe.AlreadyAnswered) as reason:
        log.warning("Dropped a work item for good: %s", reason)
    except RateLimited as limit:
        delay = work_queue.retry_after(config.queue_name, receipt_handle, limit.seconds)
        log.warning("X's rate limit: the work item comes back in %s s", delay)
        raise

"""The SQS worker: a work item -> the photo -> the endpoint's guesses -> the reply text and map -> one reply.

What can never succeed is dropped and logged once (the message is done); what may succeed later raises, so SQS
hands the message back after its visibility timeout, and the dead-letter queue keeps it after five tries. Once the
reply request has been sent it is never sent again, unless X's answer proves that nothing was posted.
"""
import json
import logging
import os
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import dedupe, endpoint, photos, post_ids, secrets, settings, webhook, work_queue
from chalicelib.map_image import draw_map
from chalicelib.reply import reply_text
from chalicelib.x_client import NotPermitted, RateLimited, Refused, Uncertain, XClient

log = logging.getLogger(__name__)


class BadWorkItem(ValueError):
    """A queue message that is not a work item the webhook or the poller would write."""


@dataclass(frozen=True)
class Reply:
    text: str
    image: bytes  # PNG


def parse(body):
    """The work item in a queue message: {"tweet_id": digits, "photo_url": ... or None, "author": ...}."""
    try:
        item = json.loads(body)
    except (ValueError, RecursionError):
        raise BadWorkItem("the message is not JSON") from None
    if not (isinstance(item, dict) and post_ids.checked(item.get("tweet_id"))):
        raise BadWorkItem("the message needs a tweet_id as X writes it: digits 0-9, no leading zero, below 2**63")
    if not post_ids.is_recent(item["tweet_id"]):  # a replay: its dedupe record may be gone
        raise BadWorkItem(f"post {item['tweet_id']} is older than the dedupe window ({post_ids.MAX_AGE // 86400} days)")
    if not isinstance(item.get("photo_url"), (str, type(None))):
        raise BadWorkItem("the message's photo_url must be a URL, or null to look the post up")
    return item


def photo_url(item, config):
    """The work item's photo: queued with it, or (an X Activity delivery without its media) looked up on X."""
    if item.get("photo_url"):
        return item["photo_url"]
    post, media = XClient(secrets.load(config.secrets_param)).post(item["tweet_id"])
    url = webhook.post_photo_url(post, media)
    if url is None:
        raise photos.PhotoUnavailable(f"post {item['tweet_id']} has no photo on X's media host")
    return url


def compose(item, config):
    """The reply to one work item: the photo's top guesses as text and as a map."""
    predictions = endpoint.predict(config.endpoint_name, photos.download(photo_url(item, config)))
    return Reply(text=reply_text(predictions), image=draw_map(predictions))


def save_dry_run(tweet_id, reply, config):
    """DRY_RUN: print the reply and save it in DRY_RUN_DIR (reply-<id>.txt, the map reply-<id>.png) instead of
    posting."""
    path = os.path.join(config.dry_run_dir, f"reply-{tweet_id}.png")
    with open(path, "wb") as file:
        file.write(reply.image)
    with open(os.path.join(config.dry_run_dir, f"reply-{tweet_id}.txt"), "w", encoding="utf-8") as file:
        file.write(reply.text)
    print(f"DRY_RUN: @{config.bot_screen_name} would reply to tweet {tweet_id} (map: {path}):\n{reply.text}")
    return path


def record(config, tweet_id, state, reply_id=""):
    """Record how the reply ended; if DynamoDB fails, the claim stays "sending" and no retry posts either."""
    try:
        dedupe.settle(config.table_name, tweet_id, state, reply_id)
    except (BotoCoreError, ClientError) as error:
        log.error("Tweet %s ended %s (reply %s) but could not record it: %s", tweet_id, state, reply_id, error)


def post(item, reply, config):
    """Post the reply once: claim the tweet, upload the map, mark it sending, reply, then record how it ended."""
    tweet_id = item["tweet_id"]
    x = XClient(secrets.load(config.secrets_param))
    dedupe.claim(config.table_name, tweet_id)
    try:
        media_id = x.upload_image(reply.image)
        dedupe.sending(config.table_name, tweet_id)
        reply_id = x.reply(tweet_id, reply.text, media_id)
    except Uncertain as doubt:  # the reply may be out: sending it again could post it twice
        record(config, tweet_id, "uncertain")
        log.error("The reply to tweet %s may or may not be out, and is not sent again: %s", tweet_id, doubt)
        return
    except Refused:
        record(config, tweet_id, "refused")
        raise
    except BaseException:
        dedupe.release(config.table_name, tweet_id)  # X's answer proves no reply was posted: a retry may post
        raise
    record(config, tweet_id, "answered", reply_id)
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
    except (BadWorkItem, photos.PhotoUnavailable, endpoint.PhotoRejected, Refused, dedupe.AlreadyAnswered) as reason:
        log.warning("Dropped a work item for good: %s", reason)
    except endpoint.EndpointError as error:  # nothing of a bad answer is posted: retried, then kept in the DLQ
        log.error("The endpoint failed or answered outside its contract, so nothing is posted; the work item is "
                  "retried: %s", error)
        raise
    except NotPermitted as setup:  # our app's fault, not the tweet's: retried, then kept in the dead-letter queue
        log.error("Fix the X app's permissions or enrollment (step README), then redrive the dead-letter queue: %s",
                  setup)
        raise
    except RateLimited as limit:
        try:
            delay = work_queue.retry_after(config.queue_name, receipt_handle, limit.seconds)
            log.warning("X's rate limit: the work item comes back in %s s", delay)
        except (BotoCoreError, ClientError) as error:  # still a rate limit: the queue's own timeout brings it back
            log.warning("X's rate limit, and SQS did not take the delay (%s): the work item comes back sooner", error)
        raise

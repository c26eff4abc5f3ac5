"""The poller, for accounts without webhooks: new mentions become the webhook's work items.

The newest mention seen is kept in the bot's DynamoDB table (item "poller#since_id"), so each run asks X only for
what came after it, every page of it (X answers newest first, 100 a page, `next_token` naming the next). The id
moves only once every page is read and queued: a failed page queues nothing and the next run reads them all again.
"""
import logging

from chalicelib import post_ids, secrets, work_queue
from chalicelib.aws_clients import client
from chalicelib.webhook import is_repost, post_photo_url
from chalicelib.x_client import RateLimited, XClient

log = logging.getLogger(__name__)
CURSOR = {"pk": {"S": "poller#since_id"}}


def last_seen(table):
    item = client("dynamodb").get_item(TableName=table, Key=CURSOR, ConsistentRead=True).get("Item")
    return item["since_id"]["S"] if item else None


def remember(table, since_id):
    client("dynamodb").put_item(TableName=table, Item={**CURSOR, "since_id": {"S": str(since_id)}})


def work_items(page, bot_user_id):
    """Work items for one page of mentions (a tweepy Response): other people's posts (no reposts) with a photo."""
    media = [item.data for item in page.includes.get("media", [])]
    users = {str(user.id): user.username for user in page.includes.get("users", [])}
    items = []
    for post in (tweet.data for tweet in page.data or []):
        author_id, url = str(post.get("author_id")), post_photo_url(post, media)
        post_id = post_ids.checked(str(post.get("id")))  # the worker refuses posts older than the dedupe window
        if author_id != bot_user_id and not is_repost(post) and url and post_id:
            items.append({"tweet_id": post_id, "photo_url": url, "author": users.get(author_id, "")})
    return items


def read_every_page(x, bot_user_id, since_id):
    """The work items of every page of mentions after `since_id`, and the newest mention's id (None if none)."""
    items, newest, token = [], None, None
    while True:
        page = x.mentions(bot_user_id, since_id, token)
        items += work_items(page, bot_user_id)
        newest = newest or page.meta.get("newest_id")  # the first page holds the newest
        token = page.meta.get("next_token")
        if not token:
            return items, newest


def poll(config):
    """Enqueue the mentions since the last run; returns how many work items were queued."""
    since_id = last_seen(config.table_name)
    x = XClient(secrets.load(config.secrets_param))
    try:
        items, newest = read_every_page(x, config.bot_user_id, since_id)
    except RateLimited as limit:
        log.warning("X's rate limit on mentions: nothing queued, the next run reads the same pages (%s)", limit)
        return 0
    queued = work_queue.enqueue(config.queue_name, items)
    if newest:
        remember(config.table_name, newest)  # after enqueueing: a crash in between only repeats work
    log.info("Polled mentions since %s: %s queued", since_id, queued)
    return queued

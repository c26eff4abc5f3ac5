"""The poller, for accounts without webhooks: new mentions become the webhook's work items.

The newest mention seen is kept in the bot's DynamoDB table (item "poller#since_id"), so each run asks X only for
what came after it, every page of it (X answers newest first, 100 a page, `next_token` naming the next), up to
MAX_PAGES pages and never a page twice. The id moves only once the pages are read and queued: a failed page queues
nothing and the next run reads them all again.
"""
import logging

from chalicelib import secrets, work_queue
from chalicelib.aws_clients import client
from chalicelib.webhook import post_photo_url, why_not_answered
from chalicelib.x_client import RateLimited, XClient

log = logging.getLogger(__name__)
CURSOR = {"pk": {"S": "poller#since_id"}}
MAX_PAGES = 10  # 1,000 mentions a run (every 5 minutes): past that, the older ones are left, and the log says so


def last_seen(table):
    item = client("dynamodb").get_item(TableName=table, Key=CURSOR, ConsistentRead=True).get("Item")
    return item["since_id"]["S"] if item else None


def remember(table, since_id):
    client("dynamodb").put_item(TableName=table, Item={**CURSOR, "since_id": {"S": str(since_id)}})


def work_items(page, bot_user_id):
    """Work items for one page of mentions (a tweepy Response): other people's posts (no reposts, no replies to the
    bot's replies) with a photo. The worker refuses posts older than the dedupe window."""
    media = [item.data for item in page.includes.get("media", [])]
    users = {str(user.id): user.username for user in page.includes.get("users", [])}
    items = []
    for post in (tweet.data for tweet in page.data or []):
        url = post_photo_url(post, media)
        if why_not_answered(post, bot_user_id) is None and url:
            items.append({"tweet_id": post["id"], "photo_url": url, "author": users.get(post.get("author_id"), "")})
    return items


def read_every_page(x, bot_user_id, since_id):
    """The work items of the pages of mentions after `since_id`, and the newest mention's id (None if none).

    At most MAX_PAGES pages, and a page X names again is not read again: a next_token already followed would go round
    for ever."""
    items, newest, token, followed = [], None, None, set()
    for _ in range(MAX_PAGES):
        page = x.mentions(bot_user_id, since_id, token)
        items += work_items(page, bot_user_id)
        newest = newest or page.meta.get("newest_id")  # the first page holds the newest
        followed.add(token)
        token = page.meta.get("next_token")
        if not token:
            return items, newest
        if token in followed:
            log.warning("X named a page of mentions it had sent already: stopped after %s pages", len(followed))
            return items, newest
    log.warning("Read %s pages of mentions, the most one run reads: older mentions since %s are left unanswered",
                MAX_PAGES, since_id)
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

"""The poller, for accounts without the Account Activity API: new mentions become the webhook's work items.

The newest mention seen is kept in the bot's DynamoDB table (item "poller#since_id"), so each run asks X only for
what came after it. More than 100 mentions between two runs: the older ones are skipped.
"""
import logging

from chalicelib import secrets, work_queue
from chalicelib.aws_clients import client
from chalicelib.photos import is_x_photo
from chalicelib.x_client import RateLimited, XClient

log = logging.getLogger(__name__)
CURSOR = {"pk": {"S": "poller#since_id"}}


def last_seen(table):
    item = client("dynamodb").get_item(TableName=table, Key=CURSOR, ConsistentRead=True).get("Item")
    return item["since_id"]["S"] if item else None


def remember(table, since_id):
    client("dynamodb").put_item(TableName=table, Item={**CURSOR, "since_id": {"S": str(since_id)}})


def work_items(answer, bot_user_id):
    """Work items for the mentions in a tweepy Response: other people's posts (no retweets) with a photo."""
    media = {m.media_key: m for m in answer.includes.get("media", [])}
    users = {str(u.id): u.username for u in answer.includes.get("users", [])}
    items = []
    for tweet in answer.data or []:
        retweet = any(ref.type == "retweeted" for ref in tweet.referenced_tweets or [])
        keys = (tweet.attachments or {}).get("media_keys", [])
        photo = next((media[k] for k in keys if k in media and media[k].type == "photo"), None)
        if str(tweet.author_id) != bot_user_id and not retweet and photo and is_x_photo(photo.url):
            author = users.get(str(tweet.author_id), "")
            items.append({"tweet_id": str(tweet.id), "photo_url": photo.url, "author": author})
    return items


def poll(config):
    """Enqueue the mentions since the last run; returns how many work items were queued."""
    since_id = last_seen(config.table_name)
    try:
        answer = XClient(secrets.load(config.secrets_param)).mentions(config.bot_user_id, since_id)
    except RateLimited as limit:
        log.warning("X's rate limit on mentions: the next run asks again (%s)", limit)
        return 0
    queued = work_queue.enqueue(config.queue_name, work_items(answer, config.bot_user_id))
    newest = answer.meta.get("newest_id")
    if newest:
        remember(config.table_name, newest)  # after enqueueing: a crash in between only repeats work
    log.info("Polled mentions since %s: %s queued", since_id, queued)
    return queued

"""X's webhook: the CRC challenge, the signature check, and the work items in a delivery.

One route takes both kinds of delivery: the X Activity API's `{"data": {"event_type": "post.mention.create",
"payload": <a v2 Post>, "includes": ...}}` and the (deprecated) Account Activity API's `{"tweet_create_events": [...]}`.
"""
import base64
import hashlib
import hmac

from chalicelib import post_ids
from chalicelib.photos import checked_photo_url


def crc_response(consumer_secret, crc_token):
    """Answer X's challenge-response check: prove that we hold the app's consumer secret."""
    # BEGIN SOLUTION 04.1
    digest = hmac.new(consumer_secret.encode(), crc_token.encode(), hashlib.sha256).digest()
    return {"response_token": "sha256=" + base64.b64encode(digest).decode()}
    # END SOLUTION


def signature_is_valid(consumer_secret, body, signature):
    """True when `signature` (the x-twitter-webhooks-signature header) signs the raw `body` bytes."""
    # BEGIN SOLUTION 04.2
    if not signature:
        return False
    digest = hmac.new(consumer_secret.encode(), body, hashlib.sha256).digest()
    expected = "sha256=" + base64.b64encode(digest).decode()
    # compare_digest takes as long for a near miss as for a far one: no timing hints for a forger.
    return hmac.compare_digest(expected.encode(), signature.encode())
    # END SOLUTION


def _object(value):
    """`value` if it is a JSON object, else an empty one: outside input may hold anything."""
    return value if isinstance(value, dict) else {}


def photo_url(tweet):
    """The https URL of the first photo in a v1.1 tweet object, or None (no media, or only a video or GIF)."""
    # BEGIN SOLUTION 04.3
    # Long tweets (truncated to 140 characters in the event) keep their media under extended_tweet.
    extended = _object(tweet.get("extended_tweet")).get("extended_entities")
    media = _object(extended or tweet.get("extended_entities")).get("media")
    for item in media if isinstance(media, list) else []:
        if _object(item).get("type") == "photo":
            return item.get("media_url_https")
    return None
    # END SOLUTION


def _list(value):
    return value if isinstance(value, list) else []


def post_photo_url(post, media):
    """The checked URL of the first photo attached to a v2 Post, given the `media` objects of its includes."""
    by_key = {str(_object(item).get("media_key")): _object(item) for item in _list(media)}
    for key in _list(_object(post.get("attachments")).get("media_keys")):
        item = by_key.get(key) if isinstance(key, str) else None
        if item and item.get("type") == "photo":
            return checked_photo_url(item.get("url"))
    return None


def is_new_post_id(value):
    """True for an id as X writes it, of a post made within the dedupe window (an old delivery replayed is not)."""
    return post_ids.checked(value) is not None and post_ids.is_recent(value)


def is_repost(post):
    return any(_object(ref).get("type") == "retweeted" for ref in _list(post.get("referenced_tweets")))


def activity_work_items(delivery, bot_user_id):
    """The work item of an X Activity API delivery: someone's post that mentions the bot, not a repost.

    Its photo comes from the delivery's `includes.media`; without them, "photo_url" is None and the worker looks
    the post up. Other event types, and events of another account's subscription, give no work.
    """
    post = _object(delivery.get("payload"))
    includes = _object(delivery.get("includes"))
    post_id, author_id = post.get("id"), post.get("author_id")
    if (
        delivery.get("event_type") != "post.mention.create"
        or _object(delivery.get("filter")).get("user_id") != bot_user_id
        or not is_new_post_id(post_id)
        or author_id == bot_user_id
        or is_repost(post)
    ):
        return []
    url = post_photo_url(post, includes.get("media"))
    if url is None and "media" in includes:  # X sent the post's media: none of them is a photo
        return []
    users = [_object(user) for user in _list(includes.get("users"))]
    author = next((user.get("username") for user in users if user.get("id") == author_id), "")
    return [{"tweet_id": post_id, "photo_url": url, "author": author if isinstance(author, str) else ""}]


def _mentions(tweet, user_id):
    entities = _object(_object(tweet.get("extended_tweet")).get("entities")) or _object(tweet.get("entities"))
    mentions = entities.get("user_mentions")
    return isinstance(mentions, list) and any(_object(m).get("id_str") == user_id for m in mentions)


def work_items(event, bot_user_id):
    """One work item per new tweet in a webhook delivery that mentions the bot with a photo on X's media host.

    Skipped: other kinds of events, the bot's own tweets, retweets, tweets without a photo, ids X would not write or
    of posts older than the dedupe window, and (Account Activity) mentions by an author the bot has blocked.
    """
    if "data" in event:
        return activity_work_items(_object(event["data"]), bot_user_id)
    if str(event.get("user_has_blocked")).lower() == "true":  # X sends "true" or true
        return []
    items = []
    for tweet in map(_object, _list(event.get("tweet_create_events"))):
        author = _object(tweet.get("user"))
        url = checked_photo_url(photo_url(tweet))
        if (
            _mentions(tweet, bot_user_id)
            and author.get("id_str") != bot_user_id
            and "retweeted_status" not in tweet
            and url
            and is_new_post_id(tweet.get("id_str"))
        ):
            items.append({"tweet_id": tweet["id_str"], "photo_url": url, "author": author.get("screen_name", "")})
    return items

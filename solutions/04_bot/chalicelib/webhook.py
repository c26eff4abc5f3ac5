"""X's webhook: the CRC challenge, the signature check, and the work items in a delivery.

One route takes both kinds of delivery: the X Activity API's `{"data": {"event_type": "post.mention.create",
"payload": <a v2 Post>, "includes": ...}}` and the (deprecated) Account Activity API's `{"tweet_create_events": [...]}`.
"""
import base64
import hashlib
import hmac
import logging

from chalicelib import post_ids
from chalicelib.photos import checked_photo_url

log = logging.getLogger(__name__)


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


def _list(value):
    """`value` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def photo_url(post, media):
    """The URL of the first photo attached to a v2 Post, or None (no media, or only videos and GIFs).

    `post["attachments"]["media_keys"]` lists the post's media in order; `media` (the `includes.media` beside the
    post) holds the media objects themselves: {"media_key": ..., "type": "photo", "url": ...}.
    """
    # BEGIN SOLUTION 04.3
    # includes.media may hold other posts' media too (a page of mentions): follow this post's keys, in their order.
    for key in _list(_object(post.get("attachments")).get("media_keys")):
        for item in map(_object, _list(media)):
            if item.get("media_key") == key and item.get("type") == "photo":
                return item.get("url")
    return None
    # END SOLUTION


def post_photo_url(post, media):
    """The checked URL (on X's media host) of the first photo attached to a v2 Post, or None."""
    return checked_photo_url(photo_url(post, media))


def tweet_photo_url(tweet):
    """Deprecated with the Account Activity API: the https URL of the first photo in a v1.1 tweet object, or None."""
    # Long tweets (truncated to 140 characters in the event) keep their media under extended_tweet.
    extended = _object(tweet.get("extended_tweet")).get("extended_entities")
    media = _object(extended or tweet.get("extended_entities")).get("media")
    for item in media if isinstance(media, list) else []:
        if _object(item).get("type") == "photo":
            return item.get("media_url_https")
    return None


def is_new_post_id(value):
    """True for an id as X writes it, of a post made within the dedupe window (an old delivery replayed is not)."""
    return post_ids.checked(value) is not None and post_ids.is_recent(value)


def is_repost(post):
    return any(_object(ref).get("type") == "retweeted" for ref in _list(post.get("referenced_tweets")))


def why_not_answered(post, bot_user_id):
    """Why a v2 Post that mentions the bot gets no reply, in a few words, or None: the webhook and the poller alike.

    A post that replies to one of the bot's posts (each one a reply) is not answered: another photo bot that answers
    every reply with a photo and a mention would otherwise go back and forth with it for ever.
    """
    if post_ids.checked(post.get("id")) is None:
        return "its id is not one X writes"
    if post.get("author_id") == bot_user_id:
        return "it is the bot's own post"
    if is_repost(post):
        return "it is a repost"
    if post.get("in_reply_to_user_id") == bot_user_id:
        return "it replies to the bot's own reply (answering could start a loop with another bot)"
    return None


def skipped(post_id, reason):
    """No work for this post; the log says why, by the post's id alone."""
    log.info("No reply to post %s: %s", post_ids.checked(post_id) or "(an id X would not write)", reason)
    return []


def activity_work_items(delivery, bot_user_id):
    """The work item of an X Activity API delivery: someone's post that mentions the bot, not a repost, nor a reply
    to the bot's reply.

    Its photo comes from the delivery's `includes.media`; without them, "photo_url" is None and the worker looks
    the post up. Other event types, and events of another account's subscription, give no work. Each delivery that
    gives none is logged once, with the reason.
    """
    post = _object(delivery.get("payload"))
    includes = _object(delivery.get("includes"))
    post_id, author_id = post.get("id"), post.get("author_id")
    subscriber = _object(delivery.get("filter")).get("user_id")
    url = post_photo_url(post, includes.get("media"))
    if delivery.get("event_type") != "post.mention.create":
        return skipped(post_id, "the event is not a post.mention.create")
    if subscriber != bot_user_id:
        return skipped(post_id, "the event is for the account {}, and the stage's BOT_USER_ID is {}".format(
            post_ids.checked(subscriber) or "(not an id)", bot_user_id))
    reason = why_not_answered(post, bot_user_id)
    if reason is None and not post_ids.is_recent(post_id):
        reason = f"it is older than the dedupe window ({post_ids.MAX_AGE // 86400} days)"
    if reason is None and url is None and "media" in includes:  # X sent the post's media: none of them is a photo
        reason = "none of its media is a photo on X's media host"
    if reason:
        return skipped(post_id, reason)
    users = [_object(user) for user in _list(includes.get("users"))]
    author = next((user.get("username") for user in users if user.get("id") == author_id), "")
    return [{"tweet_id": post_id, "photo_url": url, "author": author if isinstance(author, str) else ""}]


def _mentions(tweet, user_id):
    entities = _object(_object(tweet.get("extended_tweet")).get("entities")) or _object(tweet.get("entities"))
    mentions = entities.get("user_mentions")
    return isinstance(mentions, list) and any(_object(m).get("id_str") == user_id for m in mentions)


def work_items(event, bot_user_id):
    """The work items of a webhook delivery: posts that mention the bot with a photo on X's media host.

    An X Activity delivery carries one post; a (deprecated) Account Activity delivery carries v1.1 tweets. Skipped:
    other kinds of events, the bot's own posts, reposts, posts without a photo, ids X would not write or of posts older
    than the dedupe window, and (Account Activity) mentions by an author the bot has blocked.
    """
    if "data" in event:
        return activity_work_items(_object(event["data"]), bot_user_id)
    if str(event.get("user_has_blocked")).lower() == "true":  # X sends "true" or true
        return []
    items = []
    for tweet in map(_object, _list(event.get("tweet_create_events"))):
        author = _object(tweet.get("user"))
        url = checked_photo_url(tweet_photo_url(tweet))
        if (
            _mentions(tweet, bot_user_id)
            and author.get("id_str") != bot_user_id
            and "retweeted_status" not in tweet
            and tweet.get("in_reply_to_user_id_str") != bot_user_id  # as why_not_answered says
            and url
            and is_new_post_id(tweet.get("id_str"))
        ):
            items.append({"tweet_id": tweet["id_str"], "photo_url": url, "author": author.get("screen_name", "")})
        else:
            skipped(tweet.get("id_str"), "not someone else's recent photo mention of the bot (Account Activity)")
    return items

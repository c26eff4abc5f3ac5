"""X's Account Activity webhook: the CRC challenge, the signature check, and the work items in an event."""
import base64
import hashlib
import hmac

from chalicelib.photos import is_x_photo


def crc_response(consumer_secret, crc_token):
    """Answer X's challenge-response check: prove that we hold the app's consumer secret."""
    raise NotImplementedError("TODO 04.1: answer X's CRC challenge in webhook.crc_response")


def signature_is_valid(consumer_secret, body, signature):
    """True when `signature` (the x-twitter-webhooks-signature header) signs the raw `body` bytes."""
    raise NotImplementedError("TODO 04.2: check the x-twitter-webhooks-signature header in webhook.signature_is_valid")


def _object(value):
    """`value` if it is a JSON object, else an empty one: outside input may hold anything."""
    return value if isinstance(value, dict) else {}


def photo_url(tweet):
    """The https URL of the first photo in a v1.1 tweet object, or None (no media, or only a video or GIF)."""
    raise NotImplementedError("TODO 04.3: pick the first photo out of a tweet in webhook.photo_url")


def _mentions(tweet, user_id):
    entities = _object(_object(tweet.get("extended_tweet")).get("entities")) or _object(tweet.get("entities"))
    mentions = entities.get("user_mentions")
    return isinstance(mentions, list) and any(_object(m).get("id_str") == user_id for m in mentions)


def work_items(event, bot_user_id):
    """One work item per new tweet in a webhook event that mentions the bot with a photo on X's media host.

    Skipped: other kinds of events, the bot's own tweets, retweets, tweets without a photo.
    """
    items = []
    tweets = event.get("tweet_create_events")
    for tweet in tweets if isinstance(tweets, list) else []:
        tweet = _object(tweet)
        author = _object(tweet.get("user"))
        url = photo_url(tweet)
        if (
            _mentions(tweet, bot_user_id)
            and author.get("id_str") != bot_user_id
            and "retweeted_status" not in tweet
            and is_x_photo(url)
            and isinstance(tweet.get("id_str"), str)
        ):
            items.append({"tweet_id": tweet["id_str"], "photo_url": url, "author": author.get("screen_name", "")})
    return items

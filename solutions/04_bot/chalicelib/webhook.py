"""X's Account Activity webhook: the CRC challenge, the signature check, and the work items in an event."""
import base64
import hashlib
import hmac

from chalicelib.photos import is_x_photo


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

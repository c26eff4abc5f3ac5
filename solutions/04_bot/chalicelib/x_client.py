"""X's API for the bot: replies and mentions through tweepy's Client, the map through POST /2/media/upload.

Every call has a timeout, and X's errors become the worker's three choices: wait for the rate limit (RateLimited),
give up on this tweet (Refused), or let the exception through so the queue retries later (401, 5xx, network).
"""
import contextlib
import time

import requests
import tweepy
from requests_oauthlib import OAuth1

API = "https://api.twitter.com"  # tweepy's host; X's newer docs say api.x.com, which serves the same API
MEDIA_UPLOAD = API + "/2/media/upload"
TIMEOUT = (3.05, 15)  # seconds to connect, seconds between bytes
DEFAULT_RESET = 15 * 60  # X's rate-limit window, when a 429 does not say when it ends


class RateLimited(Exception):
    """X answered 429: try again once the limit resets."""

    def __init__(self, reset_at):
        self.seconds = max(1, int(reset_at - time.time()) + 1) if reset_at else DEFAULT_RESET
        super().__init__(f"X's rate limit resets in {self.seconds} s")


class Refused(Exception):
    """X will never take this reply (400, 403, 404: the tweet is gone or protected, replies are limited)."""


def _raise_for(response):
    """Sort one of X's answers into RateLimited, Refused, or requests' HTTPError (retry later)."""
    status = response.status_code
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset", "")
        raise RateLimited(int(reset) if reset.isdigit() else None)
    if status in (400, 403, 404):
        raise Refused(f"X answered {status}: {response.text[:200]}")
    response.raise_for_status()


@contextlib.contextmanager
def _sorted_errors():
    try:
        yield
    except tweepy.HTTPException as error:
        _raise_for(error.response)
        raise


class _TimeoutAdapter(requests.adapters.HTTPAdapter):
    """tweepy sends its requests without a timeout: every request of its session gets one."""

    def send(self, request, **kwargs):
        kwargs["timeout"] = kwargs.get("timeout") or TIMEOUT
        return super().send(request, **kwargs)


class XClient:
    """The bot's account on X, signed with OAuth 1.0a user context (never the bearer token: tweepy logs it)."""

    def __init__(self, secrets):
        self._tweepy = tweepy.Client(
            consumer_key=secrets.consumer_key,
            consumer_secret=secrets.consumer_secret,
            access_token=secrets.access_token,
            access_token_secret=secrets.access_token_secret,
        )
        self._tweepy.session.mount("https://", _TimeoutAdapter())
        self._auth = OAuth1(
            secrets.consumer_key, secrets.consumer_secret, secrets.access_token, secrets.access_token_secret
        )

    def upload_image(self, image, mime_type="image/png"):
        """Upload a picture for a post; returns its media id."""
        response = self._tweepy.session.post(
            MEDIA_UPLOAD,
            files={"media": ("map.png", image, mime_type)},
            data={"media_category": "tweet_image"},
            auth=self._auth,
            timeout=TIMEOUT,
        )
        _raise_for(response)
        return response.json()["data"]["id"]

    def reply(self, tweet_id, text, media_id):
        """Post `text` with the uploaded picture as a reply to `tweet_id`; returns the new post's id."""
        with _sorted_errors():
            answer = self._tweepy.create_tweet(text=text, in_reply_to_tweet_id=tweet_id, media_ids=[media_id])
        return answer.data["id"]

    def mentions(self, user_id, since_id=None):
        """The newest posts mentioning `user_id` (up to 100) after `since_id`, with their photos and authors."""
        with _sorted_errors():
            return self._tweepy.get_users_mentions(
                user_id,
                since_id=since_id,
                max_results=100,
                expansions=["attachments.media_keys", "author_id"],
                media_fields=["url", "type"],
                tweet_fields=["attachments", "author_id", "referenced_tweets"],
                user_fields=["username"],
                user_auth=True,
            )

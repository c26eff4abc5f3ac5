"""X's API for the bot: replies and mentions through tweepy's Client, the map through POST /2/media/upload.

Every call has a timeout, and X's errors become the worker's choices: wait for the rate limit (RateLimited), give up
on this tweet (RefusedByX), fix our app's setup (NotPermitted, retried), or let the exception through so the queue
retries later (401, 5xx, network). A reply is different once sent: when X may have posted it (a 5xx, a timeout,
an answer we cannot read) it is Uncertain, and never sent again.

tweepy sends the Post fields as `tweet.fields`, the name X's API and its guide to fields use; X's OpenAPI spec
calls it `post.fields`. We send tweepy's name (the tests check it against the spec's parameter).
"""
import contextlib
import logging
import time

import requests
import tweepy
from requests_oauthlib import OAuth1

# At DEBUG, oauthlib and requests_oauthlib log the consumer key, the access token and each request's signature:
# their loggers stay at INFO, whatever level the rest of the logging is at.
for _name in ("oauthlib", "requests_oauthlib"):
    logging.getLogger(_name).setLevel(logging.INFO)

API = "https://api.twitter.com"  # tweepy's host; X's newer docs say api.x.com, which serves the same API
MEDIA_UPLOAD = API + "/2/media/upload"
TIMEOUT = (3.05, 6)  # seconds to connect, seconds between bytes
DEFAULT_RESET = 15 * 60  # X's rate-limit window, when a 429 does not say when it ends


class RateLimited(Exception):
    """X answered 429: try again once the limit resets."""

    def __init__(self, reset_at):
        self.seconds = max(1, int(reset_at - time.time()) + 1) if reset_at else DEFAULT_RESET
        super().__init__(f"X's rate limit resets in {self.seconds} s")


class RefusedByX(Exception):
    """X will never take this reply (400, 403, 404: the tweet is gone or protected, replies are limited)."""


class NotPermitted(Exception):
    """X's 403 says our app lacks a permission or an enrollment: our setup, not the tweet (fix it, redrive the DLQ)."""


class Uncertain(Exception):
    """The reply was sent and X may have posted it (5xx, timeout, an answer we cannot read): never send it again."""


def _is_setup_problem(response):
    """X's 403 for our app, not for the tweet: `client-forbidden`, or the app's OAuth 1.0a permissions."""
    try:
        problem = response.json()
    except ValueError:
        return False
    problem = problem if isinstance(problem, dict) else {}
    kind, detail = str(problem.get("type", "")), str(problem.get("detail", "")).lower()
    return kind.endswith(("/client-forbidden", "/oauth1-permissions")) or "oauth1 app permissions" in detail


def _raise_for(response):
    """Sort one of X's answers into RateLimited, NotPermitted, RefusedByX, or requests' HTTPError (retry later)."""
    status = response.status_code
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset", "")
        raise RateLimited(int(reset) if reset.isdigit() else None)
    if status == 403 and _is_setup_problem(response):
        raise NotPermitted(f"X answered 403 for the app's setup: {response.text[:300]}")
    if status in (400, 403, 404):
        raise RefusedByX(f"X answered {status}: {response.text[:200]}")
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

    def me(self):
        """(id, username) of the account the access token belongs to: the bot's, when the stage is set up right."""
        with _sorted_errors():
            user = self._tweepy.get_me(user_auth=True).data
        return str(user.id), user.username

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
        """Post `text` with the uploaded picture as a reply to `tweet_id`; returns the new post's id.

        Raises Uncertain unless X's answer proves the post was made (201) or was not (429, 4xx, no connection).
        """
        try:
            with _sorted_errors():
                answer = self._tweepy.create_tweet(text=text, in_reply_to_tweet_id=tweet_id, media_ids=[media_id])
            return str(answer.data["id"])
        except (RateLimited, NotPermitted, RefusedByX, requests.ConnectTimeout):
            raise  # X said no, or the request never left: nothing was posted
        except requests.HTTPError as error:
            if error.response.status_code < 500:
                raise  # 401 and other refusals: nothing was posted
            raise Uncertain(f"X answered {error.response.status_code} to the reply to {tweet_id}") from error
        except Exception as error:  # a read timeout, a cut connection, a 201 we cannot read
            raise Uncertain(f"no clear answer from X to the reply to {tweet_id}: {error!r}"[:300]) from error

    def get_post(self, post_id):
        """A post (as a dict) and the media attached to it (dicts with type and url), for finding its photo."""
        with _sorted_errors():
            answer = self._tweepy.get_tweet(
                post_id,
                expansions=["attachments.media_keys"],
                media_fields=["type", "url"],
                tweet_fields=["attachments"],
                user_auth=True,
            )
        post = answer.data.data if answer.data else {}
        return post, [media.data for media in answer.includes.get("media", [])]

    def mentions(self, user_id, since_id=None, pagination_token=None):
        """One page (up to 100, newest first) of the posts mentioning `user_id` after `since_id`, with their photos
        and authors; `meta.next_token` names the next page."""
        with _sorted_errors():
            return self._tweepy.get_users_mentions(
                user_id,
                since_id=since_id,
                pagination_token=pagination_token,
                max_results=100,
                expansions=["attachments.media_keys", "author_id"],
                media_fields=["url", "type"],
                tweet_fields=["attachments", "in_reply_to_user_id", "referenced_tweets"],
                user_fields=["username"],
                user_auth=True,
            )

"""Register the deployed webhook with X (API v2) and subscribe the bot's account to its mentions.

    python register_webhook.py https://<api-id>.execute-api.<region>.amazonaws.com/api/twitter/webhook --activity
    python register_webhook.py URL                 # the Account Activity API instead (deprecated by X)
    python register_webhook.py --list              # the app's webhooks and X Activity subscriptions
    python register_webhook.py --delete SUBSCRIPTION_ID

--activity subscribes with the X Activity API (POST /2/activity/subscriptions, event post.mention.create for the
bot's user id, delivered to the webhook). Without it, the bot's account is subscribed to the webhook with the
Account Activity API, which X has marked deprecated. X checks the URL with a CRC request while registering it, so
deploy first (`chalice deploy`) and put the credentials in SSM first (setup_aws.py).

Safe to repeat: a webhook already registered for the URL is reused, and a subscription that exists already is
left as it is: a second run changes nothing.
"""
import argparse
import json
import sys
from urllib.parse import urlparse

import boto3
import requests
from botocore.exceptions import BotoCoreError, ClientError
from requests_oauthlib import OAuth1

from stage_config import CONFIG, stage_settings

API = "https://api.twitter.com"  # the host tweepy uses; X's docs also name it api.x.com
TIMEOUT = (3.05, 30)  # registering waits for X's CRC request to our webhook
AWS = boto3.session.Session()
SECRET_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret", "bearer_token")
MENTIONS = "post.mention.create"


class XRefused(Exception):
    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


def _checked(response, what):
    if response.status_code >= 400:
        try:
            detail = json.dumps(response.json().get("errors") or response.json())
        except (ValueError, AttributeError):
            detail = response.text[:300]
        raise XRefused(f"X refused to {what} ({response.status_code}): {detail}", response.status_code)
    return response.json()


def _bearer(secrets):
    """App-only auth: what X wants for the app's webhooks and for listing or deleting subscriptions."""
    return {"Authorization": f"Bearer {secrets['bearer_token']}"}


def _user(secrets):
    """OAuth 1.0a user context: the bot's own account, for subscribing it."""
    return OAuth1(
        secrets["consumer_key"], secrets["consumer_secret"], secrets["access_token"], secrets["access_token_secret"]
    )


def find_or_create_webhook(url, secrets):
    """The id of X's webhook for `url` and whether it is new; a URL X knows already is reused."""
    known = _checked(requests.get(f"{API}/2/webhooks", headers=_bearer(secrets), timeout=TIMEOUT), "list the webhooks")
    webhooks = known.get("data") or []
    for webhook in webhooks:
        if webhook.get("url") == url:
            return webhook["id"], False
    try:
        created = _checked(
            requests.post(f"{API}/2/webhooks", json={"url": url}, headers=_bearer(secrets), timeout=TIMEOUT),
            "register the webhook (is it deployed, and does it answer the CRC check?)",
        )
    except XRefused as refusal:
        if webhooks:  # a self-serve account gets one webhook: another stage may hold it
            others = ", ".join(f"{w.get('id')} ({w.get('url')})" for w in webhooks)
            raise XRefused(f"{refusal}. Your X account has the webhook {others} already, and self-serve accounts "
                           "get one: share it between stages, or use a second X developer account") from None
        raise
    return created["data"]["id"], True


def subscribe_account(webhook_id, secrets):
    """Account Activity API (deprecated): subscribe the bot's account to the webhook; True if it is new."""
    url = f"{API}/2/account_activity/webhooks/{webhook_id}/subscriptions/all"
    known = _checked(requests.get(url, auth=_user(secrets), timeout=TIMEOUT), "check the subscription")
    if (known.get("data") or {}).get("subscribed"):
        return False
    try:
        answer = _checked(requests.post(url, json={}, auth=_user(secrets), timeout=TIMEOUT), "subscribe the account")
    except XRefused as refusal:
        if "DuplicateSubscriptionFailed" in str(refusal):  # subscribed meanwhile: that is what we wanted
            return False
        raise
    if not (answer.get("data") or {}).get("subscribed"):
        raise XRefused("X did not confirm the subscription")
    return True


def activity_subscriptions(secrets):
    """The app's X Activity API subscriptions, as X lists them."""
    answer = _checked(
        requests.get(f"{API}/2/activity/subscriptions", params={"max_results": 1000}, headers=_bearer(secrets),
                    timeout=TIMEOUT),
        "list the X Activity subscriptions",
    )
    return answer.get("data") or []


def _mentions_subscription(subscriptions, webhook_id, user_id):
    for subscription in subscriptions:
        if (subscription.get("event_type") == MENTIONS and subscription.get("webhook_id") == webhook_id
                and (subscription.get("filter") or {}).get("user_id") == user_id):
            return subscription["subscription_id"]
    return None


def subscribe_mentions(webhook_id, user_id, secrets):
    """X Activity API: deliver the posts mentioning `user_id` to the webhook; (subscription id, whether new).

    post.mention.create is a private event: it is created with the bot account's own user context.
    """
    existing = _mentions_subscription(activity_subscriptions(secrets), webhook_id, user_id)
    if existing:
        return existing, False
    body = {"event_type": MENTIONS, "filter": {"user_id": user_id}, "webhook_id": webhook_id, "tag": "whereml"}
    try:
        answer = _checked(
            requests.post(f"{API}/2/activity/subscriptions", json=body, auth=_user(secrets), timeout=TIMEOUT),
            "subscribe to the mentions",
        )
    except XRefused as refusal:
        existing = refusal.status == 409 and _mentions_subscription(
            activity_subscriptions(secrets), webhook_id, user_id)
        if existing:  # made meanwhile: that is what we wanted
            return existing, False
        raise
    return answer["data"]["subscription"]["subscription_id"], True


def delete_subscription(subscription_id, secrets):
    url = f"{API}/2/activity/subscriptions/{subscription_id}"
    answer = _checked(requests.delete(url, headers=_bearer(secrets), timeout=TIMEOUT), "delete the subscription")
    return bool((answer.get("data") or {}).get("deleted"))


def load_secrets(stage):
    """The X credentials of the stage, from the SSM parameter its config names."""
    name = stage_settings(stage)["X_SECRETS_PARAM"]
    try:
        value = AWS.client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    except (ClientError, BotoCoreError) as error:
        raise SystemExit(f"Cannot read the SSM parameter {name} ({error.__class__.__name__}): "
                         f"run `python setup_aws.py --stage {stage}` first.") from None
    try:
        secrets = json.loads(value)
        missing = [key for key in SECRET_KEYS if not secrets.get(key)]
    except (ValueError, AttributeError):
        missing = list(SECRET_KEYS)
    if missing:
        raise SystemExit(f"The SSM parameter {name} lacks {', '.join(missing)}: "
                         f"run `python setup_aws.py --stage {stage} --replace-secrets`.")
    return secrets


def register(url, stage, activity):
    if urlparse(url).scheme != "https" or not url.endswith("/twitter/webhook"):
        raise SystemExit("Pass the https URL that `chalice url` prints, followed by twitter/webhook.")
    user_id = stage_settings(stage)["BOT_USER_ID"]
    if activity and not user_id.strip("0"):
        raise SystemExit(f"Set the stage's BOT_USER_ID (the bot account's numeric id) in {CONFIG} first.")
    secrets = load_secrets(stage)
    webhook_id, created = find_or_create_webhook(url, secrets)
    print(f"{'Registered' if created else 'Already registered'}: webhook {webhook_id} for {url}")
    if activity:
        subscription_id, new = subscribe_mentions(webhook_id, user_id, secrets)
        print(f"{'Subscribed' if new else 'Already subscribed'}: {MENTIONS} of user {user_id} "
              f"(subscription {subscription_id}) reaches the webhook.")
    else:
        new = subscribe_account(webhook_id, secrets)
        print(f"{'Subscribed' if new else 'Already subscribed'}: the bot's account (Account Activity API, "
              "deprecated by X: prefer --activity) reaches the webhook.")


def list_all(stage):
    secrets = load_secrets(stage)
    webhooks = _checked(requests.get(f"{API}/2/webhooks", headers=_bearer(secrets), timeout=TIMEOUT),
                        "list the webhooks").get("data") or []
    for webhook in webhooks:
        print(f"webhook {webhook.get('id')}: {webhook.get('url')} (valid: {webhook.get('valid')})")
    for subscription in activity_subscriptions(secrets):
        print(f"subscription {subscription.get('subscription_id')}: {subscription.get('event_type')} "
              f"{json.dumps(subscription.get('filter'))} -> webhook {subscription.get('webhook_id')}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", help="the deployed POST /twitter/webhook URL (https)")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--activity", action="store_true", help="subscribe with the X Activity API")
    parser.add_argument("--list", action="store_true", help="list the webhooks and X Activity subscriptions")
    parser.add_argument("--delete", metavar="SUBSCRIPTION_ID", help="delete an X Activity subscription")
    args = parser.parse_args(argv)
    try:
        if args.list:
            list_all(args.stage)
        elif args.delete:
            if not args.delete.isdigit():
                raise SystemExit("--delete takes the numeric subscription id that --list prints.")
            deleted = delete_subscription(args.delete, load_secrets(args.stage))
            print(f"{'Deleted' if deleted else 'X did not delete'} subscription {args.delete}.")
        elif args.url:
            register(args.url, args.stage, args.activity)
        else:
            parser.error("pass the webhook URL, --list or --delete")
    except (XRefused, requests.RequestException) as error:
        raise SystemExit(f"{error}. Check the app's X API access and its keys (see the step README).") from None


if __name__ == "__main__":
    sys.exit(main())

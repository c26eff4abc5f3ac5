"""Register the deployed webhook with X (API v2) and subscribe the bot's account to its activity.

    python register_webhook.py https://<api-id>.execute-api.<region>.amazonaws.com/api/twitter/webhook [--stage dev]

X checks the URL with a CRC request while registering it, so deploy first (`chalice deploy --stage dev`) and put the
credentials in SSM first (setup_aws.py). Safe to repeat: an already registered URL is reused.
"""
import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urlparse

import boto3
import requests
from botocore.exceptions import BotoCoreError, ClientError
from requests_oauthlib import OAuth1

API = "https://api.twitter.com"  # the host tweepy uses; X's docs also name it api.x.com
TIMEOUT = (3.05, 30)  # registering waits for X's CRC request to our webhook
CONFIG = Path(__file__).resolve().parent / ".chalice" / "config.json"
AWS = boto3.session.Session()
SECRET_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret", "bearer_token")


class XRefused(Exception):
    pass


def _checked(response, what):
    if response.status_code >= 400:
        try:
            detail = json.dumps(response.json().get("errors") or response.json())
        except ValueError:
            detail = response.text[:300]
        raise XRefused(f"X refused to {what} ({response.status_code}): {detail}")
    return response.json()


def find_or_create_webhook(url, bearer_token, session=requests):
    """The id of X's webhook for `url`, registering it when X does not know it yet (app-only auth)."""
    headers = {"Authorization": f"Bearer {bearer_token}"}
    known = _checked(session.get(f"{API}/2/webhooks", headers=headers, timeout=TIMEOUT), "list the webhooks")
    for webhook in known.get("data") or []:
        if webhook.get("url") == url:
            return webhook["id"], False
    created = _checked(
        session.post(f"{API}/2/webhooks", json={"url": url}, headers=headers, timeout=TIMEOUT),
        "register the webhook (is it deployed, and does it answer the CRC check?)",
    )
    return created["data"]["id"], True


def subscribe(webhook_id, secrets, session=requests):
    """Subscribe the account of the access token to the webhook (OAuth 1.0a user context)."""
    auth = OAuth1(
        secrets["consumer_key"], secrets["consumer_secret"], secrets["access_token"], secrets["access_token_secret"]
    )
    answer = _checked(
        session.post(f"{API}/2/account_activity/webhooks/{webhook_id}/subscriptions/all", auth=auth, timeout=TIMEOUT),
        "subscribe the account",
    )
    return bool((answer.get("data") or {}).get("subscribed"))


def load_secrets(stage):
    """The X credentials of the stage, from the SSM parameter its config names."""
    stages = json.loads(CONFIG.read_text())["stages"]
    if stage not in stages:
        raise SystemExit(f"There is no stage {stage!r} in {CONFIG}: pick one of {', '.join(stages)}.")
    name = stages[stage]["environment_variables"]["X_SECRETS_PARAM"]
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="the deployed POST /twitter/webhook URL (https)")
    parser.add_argument("--stage", default="dev")
    args = parser.parse_args(argv)
    if urlparse(args.url).scheme != "https" or not args.url.endswith("/twitter/webhook"):
        raise SystemExit("Pass the https URL that `chalice url` prints, followed by twitter/webhook.")
    secrets = load_secrets(args.stage)
    try:
        webhook_id, created = find_or_create_webhook(args.url, secrets["bearer_token"])
        print(f"{'Registered' if created else 'Already registered'}: webhook {webhook_id} for {args.url}")
        if not subscribe(webhook_id, secrets):
            raise XRefused("X did not confirm the subscription")
    except (XRefused, requests.RequestException) as error:
        raise SystemExit(f"{error}. Check the app's X API tier (Account Activity) and its keys.") from None
    print("Subscribed the bot's account: mentions now reach the webhook.")


if __name__ == "__main__":
    sys.exit(main())

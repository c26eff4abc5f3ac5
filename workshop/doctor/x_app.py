"""The X app: the stage's credentials in SSM answer GET /2/users/me, and the stage's BOT_USER_ID is that account.

The credentials are read and used by the bot's own code (register_webhook.py, chalicelib/x_client.py).
"""
import requests

from workshop import loader
from workshop.doctor import fix, ok
from workshop.paths import ROOT

BOT = ROOT / "solutions" / "04_bot"
CONFIG = "solutions/04_bot/.chalice/config.json"


def x_credentials(host):
    me = _me(host)
    if isinstance(me, list):
        return me
    return [ok(f"X credentials of stage {host.stage}: the access token is @{me[1]}'s (id {me[0]})")]


def webhook_secret(host):
    secrets = _secrets(host, "the webhook's consumer secret")
    if isinstance(secrets, list):
        return secrets
    return [ok("X's consumer secret, which checks the webhook's signatures, is in the stage's SSM parameter")]


def bot_user_id(host):
    settings = loader.load(BOT, "stage_config").stage_settings(host.stage)
    me = _me(host)
    if isinstance(me, list):
        return [fix("BOT_USER_ID cannot be checked until the X credentials work (above)")]
    user_id, username = me
    screen_name = settings.get("BOT_SCREEN_NAME", "").lstrip("@")
    if settings.get("BOT_USER_ID") != user_id or screen_name.lower() != username.lower():
        return [fix(f"stage {host.stage} names BOT_USER_ID {settings.get('BOT_USER_ID')!r} and BOT_SCREEN_NAME "
                    f"{settings.get('BOT_SCREEN_NAME')!r}, but the token is @{username}'s: set \"BOT_USER_ID\": "
                    f"\"{user_id}\" and \"BOT_SCREEN_NAME\": \"{username}\" in {CONFIG}")]
    return [ok(f"BOT_USER_ID {user_id} (@{username}) in {CONFIG} is the token's account")]


def _secrets(host, what="X credentials"):
    """The stage's X credentials (a dict), or the Lines that say what to do."""
    try:
        return loader.load(BOT, "register_webhook").load_secrets(host.stage)
    except SystemExit as refusal:  # its message says which parameter, and what to run
        return [fix(f"{what} of stage {host.stage}: {refusal}")]


def _me(host):
    """(id, username) the stage's access token belongs to, or the Lines that say what to do."""
    secrets = _secrets(host)
    if isinstance(secrets, list):
        return secrets
    x_client = loader.load(BOT, "chalicelib.x_client")
    keys = loader.load(BOT, "chalicelib.secrets")
    client = x_client.XClient(keys.XSecrets(**{key: secrets[key] for key in keys.KEYS}))
    try:
        return client.me()
    except x_client.RateLimited as error:
        return [fix(f"X rate-limits GET /2/users/me: {error}; run `make doctor` again then")]
    except (x_client.NotPermitted, x_client.RefusedByX) as error:
        return [fix(f"X refused GET /2/users/me ({error}): check the app's access level in X's developer portal")]
    except requests.HTTPError as error:
        status = error.response.status_code
        if status == 401:
            return [fix("X answered 401 to the stage's credentials: regenerate the access token and secret (and the "
                        f"consumer keys if needed), then `python setup_aws.py --stage {host.stage} --replace-secrets`")]
        return [fix(f"X answered {status} to GET /2/users/me: try again later")]
    except requests.RequestException as error:
        return [fix(f"cannot reach X ({error.__class__.__name__}): check the network")]

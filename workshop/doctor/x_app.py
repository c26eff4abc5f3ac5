"""The X app: the stage's credentials in SSM answer GET /2/users/me, and the stage's BOT_USER_ID is that account.

The credentials are read with the doctor's own SSM client (its timeouts, its deadline) and used by the bot's own X
client (chalicelib/x_client.py), as the bot will use them.
"""
import json

import requests

from workshop import loader
from workshop.doctor import Problem, fix, ok, short
from workshop.paths import ROOT

BOT = ROOT / "solutions" / "04_bot"
CONFIG = "solutions/04_bot/.chalice/config.json"
SETUP = "`cd solutions/04_bot && ../../.venv/bin/python setup_aws.py --stage {stage}{replace}`"


def x_credentials(host):
    user_id, username = _me(host)
    return [ok(f"X credentials of stage {host.stage}: the access token is @{username}'s (id {user_id})")]


def webhook_secret(host):
    _secrets(host)
    return [ok("X's consumer secret, which checks the webhook's signatures, is in the stage's SSM parameter")]


def bot_user_id(host):
    settings = _settings(host)
    configured = str(settings.get("BOT_USER_ID", ""))
    if not configured.strip("0").isdigit():
        return [fix(f"stage {host.stage} names BOT_USER_ID {configured!r}, a placeholder: set the bot account's "
                    f"numeric id in {CONFIG} (`make doctor` shows it once the X credentials work)")]
    user_id, username = _me(host)
    screen_name = str(settings.get("BOT_SCREEN_NAME", "")).lstrip("@")
    if configured != user_id or screen_name.lower() != username.lower():
        return [fix(f"stage {host.stage} names BOT_USER_ID {configured!r} and BOT_SCREEN_NAME "
                    f"{settings.get('BOT_SCREEN_NAME')!r}, but the token is @{username}'s: set \"BOT_USER_ID\": "
                    f"\"{user_id}\" and \"BOT_SCREEN_NAME\": \"{username}\" in {CONFIG}")]
    return [ok(f"BOT_USER_ID {user_id} (@{username}) in {CONFIG} is the token's account")]


def _settings(host):
    """The stage's environment variables in config.json; a file that is not JSON is named with its line."""
    stage_config = loader.load(BOT, "stage_config")
    try:
        return stage_config.stage_settings(host.stage)
    except json.JSONDecodeError as error:
        raise Problem(f"{CONFIG} line {error.lineno}, column {error.colno}: {error.msg} (a comma after the last "
                      "item, a missing quote?)") from None


def _secrets(host):
    """The stage's X credentials as the bot reads them (chalicelib/secrets.py's XSecrets), or a Problem naming what
    to run."""
    name = _settings(host)["X_SECRETS_PARAM"]
    ssm = host.client("ssm")
    try:
        value = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        raise Problem(f"no X credentials in SSM parameter {name}: {SETUP.format(stage=host.stage, replace='')} "
                      "(it asks for them)") from None
    keys = loader.load(BOT, "chalicelib.secrets")
    try:
        stored = json.loads(value)
    except ValueError:
        stored = None
    stored = stored if isinstance(stored, dict) else {}
    bad = [key for key in keys.KEYS if not isinstance(stored.get(key), str) or not stored[key]]
    if bad:
        raise Problem(f"the SSM parameter {name} lacks {', '.join(bad)} (each a non-empty string): "
                      f"{SETUP.format(stage=host.stage, replace=' --replace-secrets')}")
    return keys.XSecrets(**{key: stored[key] for key in keys.KEYS})


def _me(host):
    """(id, username) the stage's access token belongs to, or a Problem that says what to do."""
    x_client = loader.load(BOT, "chalicelib.x_client")
    client = x_client.XClient(_secrets(host))
    try:
        user_id, username = client.me()
    except x_client.RateLimited as error:
        raise Problem(f"X rate-limits GET /2/users/me: {short(error)}; run `make doctor` again then") from None
    except (x_client.NotPermitted, x_client.RefusedByX) as error:
        raise Problem(f"X refused GET /2/users/me ({short(error)}): check the app's access level in X's developer "
                      "portal") from None
    except requests.HTTPError as error:
        status = error.response.status_code
        if status == 401:
            raise Problem("X answered 401 to the stage's credentials: regenerate the access token and secret (and "
                          "the consumer keys if needed), then "
                          f"{SETUP.format(stage=host.stage, replace=' --replace-secrets')}") from None
        raise Problem(f"X answered {status} to GET /2/users/me: try again later") from None
    except requests.RequestException as error:
        raise Problem(f"cannot reach X ({error.__class__.__name__}): check the network") from None
    except (AttributeError, KeyError, TypeError, ValueError):
        raise Problem("X answered GET /2/users/me without the account (errors only, or not X's JSON): check the app "
                      "in X's developer portal, then run `make doctor` again") from None
    if not str(user_id).isdigit() or not username:
        raise Problem("X answered GET /2/users/me with no account id: run `make doctor` again later")
    return str(user_id), username

"""The bot's configuration: the environment variables of the stage (.chalice/config.json)."""
import os
from dataclasses import dataclass

REQUIRED = ("ENDPOINT_NAME", "QUEUE_NAME", "TABLE_NAME", "X_SECRETS_PARAM", "BOT_USER_ID", "BOT_SCREEN_NAME")


class NotConfigured(RuntimeError):
    """The stage is missing a setting or a resource: the operator has to act, retrying will not help."""


@dataclass(frozen=True)
class Settings:
    endpoint_name: str
    queue_name: str
    table_name: str
    secrets_param: str
    bot_user_id: str
    bot_screen_name: str
    dry_run: bool
    dry_run_dir: str
    poll_mentions: bool


def _flag(name):
    return os.environ.get(name, "0").strip().lower() in ("1", "true", "yes")


def load():
    """Read the settings now (Chalice's test client and `chalice local` set the stage's variables per call)."""
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        raise NotConfigured(
            f"Set {', '.join(missing)} in .chalice/config.json for this stage (see the step README)."
        )
    return Settings(
        endpoint_name=os.environ["ENDPOINT_NAME"],
        queue_name=os.environ["QUEUE_NAME"],
        table_name=os.environ["TABLE_NAME"],
        secrets_param=os.environ["X_SECRETS_PARAM"],
        bot_user_id=os.environ["BOT_USER_ID"],
        bot_screen_name=os.environ["BOT_SCREEN_NAME"].lstrip("@"),
        dry_run=_flag("DRY_RUN"),
        dry_run_dir=os.environ.get("DRY_RUN_DIR") or "/tmp",
        poll_mentions=_flag("POLL_MENTIONS"),
    )

"""The stages of .chalice/config.json: the environment variables `chalice deploy --stage S` gives the Lambdas.

setup_aws.py, register_webhook.py and local_worker.py read a stage's settings here (and so does `make demo`).
"""
import json
from pathlib import Path

CONFIG = Path(__file__).resolve().parent / ".chalice" / "config.json"


def stage_settings(stage, config_path=None):
    """The environment variables of `stage` in `config_path` (default: CONFIG), or a clear error that names the
    stages there are."""
    config_path = config_path or CONFIG
    stages = json.loads(Path(config_path).read_text())["stages"]
    if stage not in stages:
        raise SystemExit(f"There is no stage {stage!r} in {config_path}: pick one of {', '.join(stages)}.")
    return stages[stage]["environment_variables"]

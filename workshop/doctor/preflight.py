"""`make doctor [BUCKET=name] [ROLE=arn:...] [STAGE=dev] [PROCESSING=N]`: every check, one line each; exit 0 only
when all are ok. It reads and never changes anything."""
import argparse
import os

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from workshop.doctor import Host, account, fix, quotas, role, x_app

CHECKS = [
    ("AWS credentials", account.credentials),
    ("region", account.region),
    ("S3 bucket", account.bucket),
    ("execution role trust", role.trust),
    ("execution role permissions", role.permissions),
    ("SageMaker quotas", quotas.quotas),
    ("X credentials", x_app.x_credentials),
    ("X webhook secret", x_app.webhook_secret),
    ("BOT_USER_ID", x_app.bot_user_id),
    ("budget", account.budget),
]


def run(host, checks=CHECKS):
    """[Line] of every check; a check that AWS will not answer becomes a Line that says so."""
    lines = []
    for name, check in checks:
        try:
            lines += check(host)
        except (BotoCoreError, ClientError) as error:
            lines.append(fix(f"{name}: AWS did not answer ({error}); check the credentials and region first"))
    return lines


def main(argv=None, say=print):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bucket", default=os.environ.get("BUCKET"), help="the S3 bucket of s3://BUCKET/whereml/")
    parser.add_argument("--role", default=os.environ.get("SAGEMAKER_ROLE"), help="the SageMaker execution role ARN")
    parser.add_argument("--stage", default="dev", help="the bot's stage in solutions/04_bot/.chalice/config.json")
    parser.add_argument("--processing", type=int, default=1, help="Processing instances `make data` will ask for")
    args = parser.parse_args(argv)
    host = Host(boto3.session.Session(), args.bucket, args.role, args.stage, args.processing)
    lines = run(host)
    for line in lines:
        say(("ok   " if line.ok else "FIX  ") + line.text)
    missing = sum(not line.ok for line in lines)
    say("Ready for the stream." if not missing else f"{missing} to fix before the stream (FIX lines above).")
    return 0 if not missing else 1

"""Create (or delete) what the bot needs besides its Lambdas: the work queue and its dead-letter queue, the
DynamoDB table and the SSM SecureString with the X credentials. Names come from the stage in .chalice/config.json.
It also writes the stage's IAM policy file for your account and region (.chalice/policy-<stage>.account.json, which
config.json names and git ignores; .chalice/policy-<stage>.json is the same policy with a placeholder account, to
review): Chalice uploads the file as it is, so the ARNs in it name this account, region and stage's resources only.

    python setup_aws.py [--stage dev]              # create what is missing; safe to repeat (changes nothing then)
    python setup_aws.py --stage dev --replace-secrets
    python setup_aws.py --stage dev --delete       # also what `chalice deploy` made, even when it stopped halfway

The X credentials are read from X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET and
X_BEARER_TOKEN, or asked for without echo; they are never printed.
"""
import argparse
import contextlib
import getpass
import json
import os
import sys

import boto3
from botocore.exceptions import BotoCoreError, ClientError

import chalice_leftovers
from stage_config import CONFIG, stage_settings

SECRET_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret", "bearer_token")
TAGS = {"project": "whereml-workshop"}
VISIBILITY_TIMEOUT = "720"  # six times the worker's 120-s Lambda timeout, as AWS advises for an SQS trigger
MAX_RECEIVES = 5  # tries before a message moves to the dead-letter queue
DLQ_RETENTION = "1209600"  # 14 days, SQS's longest
AWS = boto3.session.Session()  # one session for every client this script makes


def stage_names(stage, config_path=None):
    """The stage's QUEUE_NAME, TABLE_NAME and X_SECRETS_PARAM from .chalice/config.json."""
    variables = stage_settings(stage, config_path)
    return variables["QUEUE_NAME"], variables["TABLE_NAME"], variables["X_SECRETS_PARAM"]


def stage_policy(stage, account, region, config_path=CONFIG):
    """The least-privilege IAM policy of `stage`: each statement names the stage's own resources in `account` and
    `region` (no wildcard region or account), and its Lambdas' own log groups."""
    config = json.loads(config_path.read_text())
    settings = config["stages"][stage]
    variables = settings["environment_variables"]
    arn = f"arn:aws:{{}}:{region}:{account}:{{}}".format
    functions = [f"{config['app_name']}-{stage}"]  # the API's Lambda, then one Lambda per event handler
    functions += [f"{config['app_name']}-{stage}-{name}" for name in settings.get("lambda_functions", {})]
    log_groups = [arn("logs", f"log-group:/aws/lambda/{name}{suffix}") for name in functions for suffix in ("", ":*")]
    statements = [
        ("AskTheEndpoint", "sagemaker:InvokeEndpoint", arn("sagemaker", f"endpoint/{variables['ENDPOINT_NAME']}")),
        ("ReadTheXSecrets", "ssm:GetParameter", arn("ssm", f"parameter{variables['X_SECRETS_PARAM']}")),
        ("UseTheWorkQueue", ["sqs:GetQueueUrl", "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                             "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
         arn("sqs", variables["QUEUE_NAME"])),
        ("ClaimTweetsKeepThePollerCursorCountPageAnswers",
         ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"],
         arn("dynamodb", f"table/{variables['TABLE_NAME']}")),
        ("WriteLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], log_groups),
    ]
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource}
                      for sid, action, resource in statements],
    }


def write_policy(stage, say, config_path=CONFIG):
    """The stage's iam_policy_file (.chalice/policy-<stage>.account.json) for the account and region of the
    credentials in use."""
    account = AWS.client("sts").get_caller_identity()["Account"]
    region = AWS.region_name
    if not region:
        raise SystemExit("No AWS region: export AWS_DEFAULT_REGION=us-west-2 (the region of your endpoint).")
    policy_file = config_path.parent / json.loads(config_path.read_text())["stages"][stage]["iam_policy_file"]
    text = json.dumps(stage_policy(stage, account, region, config_path), indent=2) + "\n"
    if policy_file.exists() and policy_file.read_text() == text:
        say(f"Policy {policy_file.name} is ready")
        return
    say(f"Writing {policy_file.name} for account {account} in {region}")
    policy_file.write_text(text)


def _queue_url(sqs, name):
    try:
        return sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as error:
        if error.response["Error"]["Code"] in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
            return None
        raise


def ensure_queue(sqs, name, attributes, say):
    """Create queue `name`, or bring an existing one to `attributes`; returns its URL."""
    url = _queue_url(sqs, name)
    if url is None:
        say(f"Creating queue {name}")
        return sqs.create_queue(QueueName=name, Attributes=attributes, tags=TAGS)["QueueUrl"]
    current = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(attributes))["Attributes"]
    changed = {k: v for k, v in attributes.items() if _normal(current.get(k)) != _normal(v)}
    if changed:
        say(f"Updating queue {name}: {', '.join(changed)}")
        sqs.set_queue_attributes(QueueUrl=url, Attributes=changed)
    else:
        say(f"Queue {name} is ready")
    return url


def _normal(value):
    """Queue attributes compare as JSON when they are JSON (the redrive policy), else as text."""
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def ensure_table(dynamodb, name, say):
    """An on-demand table keyed by the string `pk`, whose items expire at their `expires_at`."""
    try:
        dynamodb.describe_table(TableName=name)
        say(f"Table {name} is ready")
    except dynamodb.exceptions.ResourceNotFoundException:
        say(f"Creating table {name}")
        dynamodb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            Tags=[{"Key": k, "Value": v} for k, v in TAGS.items()],
        )
        dynamodb.get_waiter("table_exists").wait(TableName=name)
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        say(f"Turning on expiry (expires_at) for table {name}")
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
        )


def read_secrets(environ=os.environ, ask=getpass.getpass):
    """The five X credentials, from X_<KEY> environment variables or typed in without echo."""
    missing = [key for key in SECRET_KEYS if not environ.get(f"X_{key.upper()}")]
    if missing and not sys.stdin.isatty():
        names = ", ".join(f"X_{key.upper()}" for key in missing)
        raise SystemExit(f"Set {names} (or run this in a terminal to type them in).")
    values = {
        key: environ.get(f"X_{key.upper()}") or ask(f"X {key.replace('_', ' ')}: ").strip() for key in SECRET_KEYS
    }
    empty = [key for key, value in values.items() if not value]
    if empty:
        raise SystemExit(f"The X {', '.join(empty)} cannot be empty: copy them from the X developer portal.")
    return values


def ensure_parameter(ssm, name, replace, say, secrets=read_secrets):
    """The SecureString holding the X credentials as JSON (asked for only when it is missing, or to replace)."""
    try:
        ssm.get_parameter(Name=name)
        exists = True
    except ssm.exceptions.ParameterNotFound:
        exists = False
    if exists and not replace:
        say(f"Parameter {name} is ready (--replace-secrets to write new credentials)")
        return
    say(f"{'Replacing' if exists else 'Creating'} parameter {name} (SecureString)")
    arguments = dict(Name=name, Value=json.dumps(secrets()), Type="SecureString", Overwrite=exists)
    if not exists:
        arguments["Tags"] = [{"Key": k, "Value": v} for k, v in TAGS.items()]
    ssm.put_parameter(**arguments)


def create(stage, replace_secrets=False, say=print):
    queue, table, parameter = stage_names(stage)
    sqs = AWS.client("sqs")
    dlq_url = ensure_queue(sqs, f"{queue}-dlq", {"MessageRetentionPeriod": DLQ_RETENTION}, say)
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVES})
    ensure_queue(sqs, queue, {"VisibilityTimeout": VISIBILITY_TIMEOUT, "RedrivePolicy": redrive}, say)
    ensure_table(AWS.client("dynamodb"), table, say)
    ensure_parameter(AWS.client("ssm"), parameter, replace_secrets, say)


def delete(stage, say=print, config_path=CONFIG):
    """Delete the stage's queues, table and parameter, and what its `chalice deploy` made; exit non-zero naming what
    is still there."""
    left = chalice_leftovers.delete(AWS, json.loads(config_path.read_text())["app_name"], stage, say)
    record = config_path.parent / "deployed" / f"{stage}.json"
    if record.exists():  # Chalice's record of a deploy that is gone now: the next `chalice deploy` starts afresh
        record.unlink()
        say(f"Removed .chalice/deployed/{record.name}")
    queue, table, parameter = stage_names(stage, config_path)
    sqs = AWS.client("sqs")
    for name in (queue, f"{queue}-dlq"):
        url = _queue_url(sqs, name)
        if url:
            say(f"Deleting queue {name}")
            sqs.delete_queue(QueueUrl=url)
    dynamodb = AWS.client("dynamodb")
    with contextlib.suppress(dynamodb.exceptions.ResourceNotFoundException):  # gone already
        dynamodb.delete_table(TableName=table)
        say(f"Deleting table {table}")
    ssm = AWS.client("ssm")
    with contextlib.suppress(ssm.exceptions.ParameterNotFound):
        ssm.delete_parameter(Name=parameter)
        say(f"Deleted parameter {parameter}")
    if left:
        raise SystemExit("Still there (delete by hand in the console, or run this again): " + ", ".join(left))
    say(f"Nothing of stage {stage} is left.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--replace-secrets", action="store_true", help="write new X credentials")
    parser.add_argument("--delete", action="store_true", help="delete the queues, the table and the parameter")
    args = parser.parse_args(argv)
    try:
        if args.delete:
            delete(args.stage, print, CONFIG)
        else:
            create(args.stage, args.replace_secrets)
            write_policy(args.stage, print, CONFIG)
    except ClientError as error:
        raise SystemExit(f"AWS refused: {error.response['Error'].get('Message', error)} (check your credentials "
                         "and region: `aws sts get-caller-identity`).") from None
    except BotoCoreError as error:
        raise SystemExit(f"AWS could not be reached: {error}. Configure credentials and a region first.") from None


if __name__ == "__main__":
    main()

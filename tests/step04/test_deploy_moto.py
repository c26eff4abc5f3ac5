"""The host's deploy path, `setup_aws.py` then `chalice deploy`, against moto's server on 127.0.0.1.

moto emulates the parts below the API: the IAM roles with the stage's policy, the Lambda functions with the stage's
timeouts, the SQS trigger and the schedule. It cannot import the REST API: Chalice sends a Swagger 2.0 document, and
moto's API Gateway import takes OpenAPI 3 only, so `chalice deploy` stops there (test_package.py lints the whole
template instead).
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

import moto_server as moto_server_module

X_CREDENTIALS = {"X_CONSUMER_KEY": "ck", "X_CONSUMER_SECRET": "cs", "X_ACCESS_TOKEN": "at",
                 "X_ACCESS_TOKEN_SECRET": "ats", "X_BEARER_TOKEN": "bt"}


@pytest.fixture(scope="module")
def deployed(tree, tmp_path_factory, lambda_wheels, moto_server):
    """(chalice deploy's result, a boto3 client maker for the moto server it deployed to, the bot's folder), stage
    dev."""
    bot = tmp_path_factory.mktemp("deploy") / "bot"
    shutil.copytree(tree / "04_bot", bot, ignore=shutil.ignore_patterns("__pycache__", "deployments", "deployed"))
    url = moto_server_module.emptied(moto_server)
    env = dict(os.environ, AWS_ENDPOINT_URL=url, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(lambda_wheels), **X_CREDENTIALS)
    setup = subprocess.run([sys.executable, "setup_aws.py", "--stage", "dev"], cwd=bot, env=env,
                           capture_output=True, text=True, timeout=120)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    chalice = Path(sys.executable).with_name("chalice")
    done = subprocess.run([str(chalice), "deploy", "--stage", "dev"], cwd=bot, env=env, capture_output=True,
                          text=True, timeout=600)
    return done, lambda service: boto3.client(service, endpoint_url=url), bot, env


def test_deploy_gets_as_far_as_moto_goes(deployed):
    done, *_ = deployed
    if done.returncode != 0:  # moto's API Gateway cannot import Chalice's Swagger 2.0 document: nothing else may fail
        assert "ImportRestApi" in done.stdout + done.stderr, done.stdout + done.stderr


def test_each_function_has_its_own_role_with_the_stage_policy(deployed):
    _, client, bot, _ = deployed
    iam = client("iam")
    policy = json.loads((bot / ".chalice" / "policy-dev.account.json").read_text())  # setup_aws.py wrote it for moto
    assert "arn:aws:sqs:us-west-2:123456789012:whereml-dev-work" in json.dumps(policy)
    names = {"whereml-bot-dev-answer_mention", "whereml-bot-dev-poll_mentions", "whereml-bot-dev-api_handler"}
    assert names <= {role["RoleName"] for role in iam.list_roles()["Roles"]}
    for name in names:
        [policy_name] = iam.list_role_policies(RoleName=name)["PolicyNames"]
        assert iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"] == policy


def test_the_functions_have_the_stage_timeouts_and_settings(deployed, tree):
    _, client, *_ = deployed
    stage = json.loads((tree / "04_bot" / ".chalice" / "config.json").read_text())["stages"]["dev"]
    functions = {f["FunctionName"]: f for f in client("lambda").list_functions()["Functions"]}
    worker = functions["whereml-bot-dev-answer_mention"]
    assert worker["Timeout"] == stage["lambda_functions"]["answer_mention"]["lambda_timeout"]
    assert worker["MemorySize"] == stage["lambda_memory_size"]
    assert worker["Environment"]["Variables"] == stage["environment_variables"]
    assert functions["whereml-bot-dev"]["Timeout"] == stage["lambda_timeout"], "the webhook answers X within 10 s"


def test_the_worker_is_triggered_by_the_stage_queue_and_the_poller_by_a_schedule(deployed):
    _, client, *_ = deployed
    [mapping] = client("lambda").list_event_source_mappings()["EventSourceMappings"]
    assert mapping["EventSourceArn"].endswith(":whereml-dev-work") and mapping["BatchSize"] == 1
    assert mapping["FunctionArn"].endswith(":function:whereml-bot-dev-answer_mention")
    [rule] = client("events").list_rules()["Rules"]
    assert rule["ScheduleExpression"].startswith("rate(")
    [target] = client("events").list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"].endswith(":function:whereml-bot-dev-poll_mentions")


def test_setup_aws_delete_leaves_nothing_of_the_half_failed_deploy(deployed):
    """`chalice deploy` stopped at the REST API: `chalice delete` knows nothing (no .chalice/deployed/dev.json), so
    `setup_aws.py --delete` (run by `make cleanup`) finds what the deploy made by Chalice's names and tags."""
    _, client, bot, env = deployed
    done = subprocess.run([sys.executable, "setup_aws.py", "--stage", "dev", "--delete"], cwd=bot, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Nothing of stage dev is left." in done.stdout, done.stdout + done.stderr
    assert client("lambda").list_functions()["Functions"] == []
    assert [r["RoleName"] for r in client("iam").list_roles()["Roles"] if r["RoleName"].startswith("whereml")] == []
    assert client("lambda").list_event_source_mappings()["EventSourceMappings"] == []
    assert client("events").list_rules()["Rules"] == []
    assert client("sqs").list_queues().get("QueueUrls", []) == []

"""setup_aws.py against moto: the queue with its dead-letter redrive, the table, the parameter; idempotent."""
import io
import json
import shutil
import subprocess
import sys
import zipfile

import pytest
from moto import mock_aws

from bot_stand_ins import SECRETS, aws_client

NAMES = {"queue": "whereml-dev-work", "table": "whereml-dev", "parameter": "/whereml/dev/x-secrets"}


@pytest.fixture
def setup_aws(load, monkeypatch, tmp_path):
    """setup_aws.py in moto, writing its policy files into a copy of .chalice (never into the tree)."""
    for key, value in SECRETS.items():
        monkeypatch.setenv(f"X_{key.upper()}", value)
    module = load("04_bot", "setup_aws")
    shutil.copytree(module.CONFIG.parent, tmp_path / ".chalice")
    monkeypatch.setattr(module, "CONFIG", tmp_path / ".chalice" / "config.json")
    with mock_aws():
        yield module


def snapshot():
    """Everything setup_aws.py makes, as AWS describes it."""
    sqs, dynamodb, ssm = aws_client("sqs"), aws_client("dynamodb"), aws_client("ssm")
    queues = {url.rsplit("/", 1)[1]: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
              for url in sqs.list_queues().get("QueueUrls", [])}
    table = dynamodb.describe_table(TableName=NAMES["table"])["Table"]
    ttl = dynamodb.describe_time_to_live(TableName=NAMES["table"])["TimeToLiveDescription"]
    parameter = ssm.get_parameter(Name=NAMES["parameter"], WithDecryption=True)["Parameter"]
    return queues, table, ttl, parameter


def test_setup_creates_the_queue_with_its_dead_letter_queue_the_table_and_the_parameter(setup_aws, capsys):
    setup_aws.main(["--stage", "dev"])
    queues, table, ttl, parameter = snapshot()
    assert set(queues) == {"whereml-dev-work", "whereml-dev-work-dlq"}
    redrive = json.loads(queues["whereml-dev-work"]["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == queues["whereml-dev-work-dlq"]["QueueArn"]
    assert int(redrive["maxReceiveCount"]) == 5
    config = json.loads(setup_aws.CONFIG.read_text())["stages"]["dev"]
    worker_timeout = config["lambda_functions"]["answer_mention"]["lambda_timeout"]
    assert int(queues["whereml-dev-work"]["VisibilityTimeout"]) >= 6 * worker_timeout, (
        f"at least 6x the worker's {worker_timeout}-s Lambda timeout (.chalice/config.json)")
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    assert parameter["Type"] == "SecureString" and json.loads(parameter["Value"]) == SECRETS
    printed = capsys.readouterr()
    assert not any(secret in printed.out + printed.err for secret in SECRETS.values()), "never print a credential"


def test_a_second_run_changes_nothing(setup_aws, capsys):
    setup_aws.main(["--stage", "dev"])
    before = snapshot()
    capsys.readouterr()
    setup_aws.main(["--stage", "dev"])
    assert snapshot() == before
    assert "Creating" not in capsys.readouterr().out and before[3]["Version"] == 1


def test_replace_secrets_writes_a_new_version(setup_aws, monkeypatch):
    setup_aws.main([])
    monkeypatch.setenv("X_BEARER_TOKEN", "bt-new")
    setup_aws.main(["--replace-secrets"])
    parameter = snapshot()[3]
    assert parameter["Version"] == 2 and json.loads(parameter["Value"])["bearer_token"] == "bt-new"


def test_a_queue_missing_its_redrive_gets_it(setup_aws):
    aws_client("sqs").create_queue(QueueName="whereml-dev-work")
    setup_aws.main([])
    assert "RedrivePolicy" in snapshot()[0]["whereml-dev-work"]


def test_delete_removes_everything_and_can_be_repeated(setup_aws):
    setup_aws.main([])
    setup_aws.main(["--delete"])
    setup_aws.main(["--delete"])
    assert aws_client("sqs").list_queues().get("QueueUrls", []) == []
    assert aws_client("dynamodb").list_tables()["TableNames"] == []
    assert aws_client("ssm").describe_parameters()["Parameters"] == []


@pytest.mark.parametrize(
    "argv, unset, message",
    [(["--stage", "qa"], [], "no stage 'qa'"),
     ([], ["X_BEARER_TOKEN", "X_CONSUMER_SECRET"], "Set X_CONSUMER_SECRET, X_BEARER_TOKEN")],
    ids=["unknown stage", "credentials missing and no terminal"],
)
def test_bad_setup_input_says_what_to_do(setup_aws, monkeypatch, argv, unset, message):
    for name in unset:
        monkeypatch.delenv(name)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(SystemExit) as exit:
        setup_aws.main(argv)
    assert message in str(exit.value)


def test_credentials_can_be_typed_in_without_echo(setup_aws, monkeypatch):
    monkeypatch.setattr(sys, "stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})())
    typed = setup_aws.read_secrets(environ={}, ask=lambda prompt: f"typed {prompt}")
    assert typed["consumer_secret"] == "typed X consumer secret:"
    with pytest.raises(SystemExit, match="cannot be empty"):
        setup_aws.read_secrets(environ={}, ask=lambda prompt: "")


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_setup_writes_the_stage_policy_for_this_account_and_region(setup_aws, stage):
    tracked = setup_aws.CONFIG.parent / f"policy-{stage}.json"
    template = tracked.read_text()
    setup_aws.main(["--stage", stage])
    assert tracked.read_text() == template and "000000000000" in template, (
        "the tracked policy keeps its placeholder account: git stays clean and no account id invites a commit")
    policy = json.loads((setup_aws.CONFIG.parent / f"policy-{stage}.account.json").read_text())
    resources = [r for s in policy["Statement"] for r in ([s["Resource"]] if isinstance(s["Resource"], str)
                                                          else s["Resource"])]
    assert resources and all(r.split(":")[3:5] == ["us-west-2", "123456789012"] for r in resources), (
        "write the caller's region and account into every ARN: no `*` for either"
    )
    assert f"arn:aws:sqs:us-west-2:123456789012:whereml-{stage}-work" in resources


def test_the_account_policy_file_is_ignored_by_git_in_every_step_folder(tree):
    from workshop.paths import ROOT

    paths = [f"{folder}/04_bot/.chalice/{name}" for folder in ("steps", "solutions")
             for name in ("policy-dev.account.json", "deployments/abc.zip", "deployed/dev.json")]
    done = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.split() == paths, "ignored in every step's bot folder: " + done.stdout


def chalice_half_deploy(stage, api=True):
    """What `chalice deploy --stage STAGE` had made when it stopped (moto's API Gateway import, say): each function
    with its role and inline policy, the worker's queue trigger, the poller's schedule, log groups, the REST API."""
    iam, lambdas = aws_client("iam"), aws_client("lambda")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    queue = aws_client("sqs").create_queue(QueueName=f"whereml-{stage}-work")["QueueUrl"]
    queue_arn = aws_client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("app.py", "")
    for handler in ("api_handler", "answer_mention", "poll_mentions"):
        role = iam.create_role(RoleName=f"whereml-bot-{stage}-{handler}", AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(RoleName=f"whereml-bot-{stage}-{handler}", PolicyName=f"whereml-bot-{stage}-{handler}",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn["QueueArn"]}]}))
        name = f"whereml-bot-{stage}" + ("" if handler == "api_handler" else f"-{handler}")
        lambdas.create_function(FunctionName=name, Runtime="python3.11", Role=role["Role"]["Arn"], Handler="app.app",
                                Code={"ZipFile": archive.getvalue()},
                                Tags={"aws-chalice": f"version=1.34.0:stage={stage}:app=whereml-bot"})
        aws_client("logs").create_log_group(logGroupName=f"/aws/lambda/{name}")
    lambdas.create_event_source_mapping(EventSourceArn=queue_arn["QueueArn"],
                                        FunctionName=f"whereml-bot-{stage}-answer_mention")
    aws_client("events").put_rule(Name=f"whereml-bot-{stage}-poll_mentions-event", ScheduleExpression="rate(5 minutes)")
    if api:
        api_id = aws_client("apigateway").create_rest_api(name="whereml-bot")["id"]
        lambdas.add_permission(FunctionName=f"whereml-bot-{stage}", StatementId="api", Action="lambda:InvokeFunction",
                               Principal="apigateway.amazonaws.com",
                               SourceArn=f"arn:aws:execute-api:us-west-2:123456789012:{api_id}/*")


def test_delete_removes_what_a_half_failed_chalice_deploy_made_and_only_that_stage(setup_aws, capsys):
    setup_aws.main(["--stage", "dev"])
    chalice_half_deploy("prod")
    chalice_half_deploy("dev")
    aws_client("apigateway").create_rest_api(name="whereml-bot")  # dev's second try, stopped before granting
    setup_aws.main(["--stage", "dev", "--delete"])
    lambdas = [f["FunctionName"] for f in aws_client("lambda").list_functions()["Functions"]]
    assert sorted(lambdas) == ["whereml-bot-prod", "whereml-bot-prod-answer_mention", "whereml-bot-prod-poll_mentions"]
    roles = [r["RoleName"] for r in aws_client("iam").list_roles()["Roles"]]
    assert not [role for role in roles if role.startswith("whereml-bot-dev")], roles
    assert [m["FunctionArn"].rsplit(":", 1)[1] for m in aws_client("lambda").list_event_source_mappings()[
        "EventSourceMappings"]] == ["whereml-bot-prod-answer_mention"]
    assert [r["Name"] for r in aws_client("events").list_rules()["Rules"]] == ["whereml-bot-prod-poll_mentions-event"]
    groups = [g["logGroupName"] for g in aws_client("logs").describe_log_groups()["logGroups"]]
    assert not [group for group in groups if "whereml-bot-dev" in group], groups
    assert len(aws_client("apigateway").get_rest_apis()["items"]) == 1, "prod's REST API stays, both of dev's go"
    assert "Nothing of stage dev is left." in capsys.readouterr().out

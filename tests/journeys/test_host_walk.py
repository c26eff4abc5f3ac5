"""The host's day, in README order, in one fresh clone, against a stand-in account (moto's server on 127.0.0.1, with
SageMaker's refusal to create an existing endpoint config or endpoint in front of it): doctor on a bare account, the
account made ready, setup_aws.py, doctor again, deploy twice, a `chalice deploy` that stops halfway, cleanup; then
nothing the workshop made is left in the account and git sees nothing changed in the clone.

X cannot be stood in across processes here (tweepy talks to api.twitter.com; the tests' guard refuses it), nor can
Service Quotas (moto lists only AWS's defaults): doctor's lines for those are checked in tests/tooling/test_doctor.py.
"""
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import boto3
import pytest
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

import moto_server
from workshop import checkpoint, loader
from workshop.paths import ROOT

sagemaker_refusal = loader.load(ROOT / "tests" / "step03", "sagemaker_refusal")
BUCKET = "whereml-host-walk"
ROLE = "whereml-sagemaker"  # the execution role the host makes in the console (README), not the workshop
ROLE_ARN = f"arn:aws:iam::123456789012:role/{ROLE}"
UPLOAD = f"s3://{BUCKET}/whereml/model"
X_CREDENTIALS = {"X_CONSUMER_KEY": "ck", "X_CONSUMER_SECRET": "cs", "X_ACCESS_TOKEN": "at",
                 "X_ACCESS_TOKEN_SECRET": "ats", "X_BEARER_TOKEN": "bt"}
WHEELS = ROOT / "build" / "lambda-wheels"


@pytest.fixture(scope="module")
def account():
    """(the stand-in account's URL, a boto3 client maker for it, SageMaker's rules in front of it)."""
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    url = f"http://127.0.0.1:{server.server_address[1]}"

    def client(service):
        return boto3.client(service, endpoint_url=url, region_name="us-west-2")

    rules = sagemaker_refusal.Middleware(app, client("sagemaker"))
    server.app = rules
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    moto_server.emptied(url)  # moto keeps its accounts per process: an account of our own, holding nothing yet
    yield url, client, rules
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def host(fresh_clone, account):
    """host(*command, cwd=folder of the clone) runs a command of the README as the host would: (exit code, output)."""
    url, _, _ = account
    env = dict(os.environ, AWS_ENDPOINT_URL=url, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(WHEELS), **X_CREDENTIALS)
    env.pop("MAKEFLAGS", None)

    def run(*command, cwd=".", ours=True):
        done = subprocess.run(command, cwd=fresh_clone / cwd, env=env, capture_output=True, text=True, timeout=900)
        output = done.stdout + done.stderr
        if ours:  # the workshop's commands show no traceback, and nothing the host cannot act on
            assert "Traceback" not in output and "sagemaker.config" not in output, output
        return done.returncode, output

    return run


def make_the_account_ready(client):
    """What the host does in the console before the stream (README, On AWS): a bucket, the execution role, a budget."""
    client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    client("iam").create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    client("iam").put_role_policy(RoleName=ROLE, PolicyName="all", PolicyDocument=json.dumps(everything))
    client("budgets").create_budget(AccountId="123456789012", Budget={
        "BudgetName": "monthly", "BudgetLimit": {"Amount": "20", "Unit": "USD"}, "TimeUnit": "MONTHLY",
        "BudgetType": "COST"})


def what_the_workshop_left(client):
    """Everything in the account but what the host made by hand (the bucket itself, the execution role, the budget)."""
    s3 = client("s3")
    left = {
        "S3 objects": [f"{bucket['Name']}/{item['Key']}" for bucket in s3.list_buckets()["Buckets"]
                       for item in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", [])],
        "endpoints": client("sagemaker").list_endpoints()["Endpoints"],
        "endpoint configs": client("sagemaker").list_endpoint_configs()["EndpointConfigs"],
        "models": client("sagemaker").list_models()["Models"],
        "Lambdas": client("lambda").list_functions()["Functions"],
        "roles": [role["RoleName"] for role in client("iam").list_roles()["Roles"] if role["RoleName"] != ROLE],
        "queues": client("sqs").list_queues().get("QueueUrls", []),
        "tables": client("dynamodb").list_tables()["TableNames"],
        "parameters": client("ssm").describe_parameters()["Parameters"],
        "rules": client("events").list_rules()["Rules"],
        "log groups": client("logs").describe_log_groups()["logGroups"],
        "REST APIs": client("apigateway").get_rest_apis()["items"],
        "event source mappings": client("lambda").list_event_source_mappings()["EventSourceMappings"],
    }
    return {kind: found for kind, found in left.items() if found}


def test_the_hosts_day_leaves_nothing_behind(fresh_clone, account, host):
    _, client, rules = account
    doctor = ("make", "-s", "doctor", f"BUCKET={BUCKET}", f"ROLE={ROLE_ARN}")

    code, out = host(*doctor)
    assert code != 0, out  # make says 2 when doctor says 1
    for cause in (f"bucket {BUCKET} does not exist", f"role {ROLE} does not exist", "no X credentials in SSM",
                  "BOT_USER_ID '0', a placeholder"):
        assert out.count(cause) == 1, f"{cause!r} once on a bare account:\n{out}"

    make_the_account_ready(client)
    code, out = host(sys.executable, "setup_aws.py", "--stage", "dev", cwd="solutions/04_bot")
    assert code == 0, out
    code, out = host(*doctor)
    for ready in (f"ok   bucket {BUCKET} in us-west-2", f"ok   role {ROLE} trusts sagemaker.amazonaws.com",
                  f"ok   role {ROLE} may read and write", "ok   budget monthly", "ok   X's consumer secret"):
        assert ready in out, f"{ready!r} on a ready account:\n{out}"
    fixes = [line for line in out.splitlines() if line.startswith("FIX")]
    assert all(("quota" in line or "X" in line or "BOT_USER_ID" in line) for line in fixes), out

    shutil.copytree(checkpoint.ensure("model"), fresh_clone / "build" / "model")  # what `make train` leaves
    deploy = ("make", "-s", "deploy", "MODEL=build/model", f"UPLOAD={UPLOAD}", f"ROLE={ROLE_ARN}")
    code, out = host(*deploy)
    assert code == 0 and "Endpoint whereml is up" in out and "serves fp32" in out, out
    code, out = host(*deploy)
    assert code == 0 and "exists: moving it to the new model" in out and rules.refused == [], out
    sagemaker = client("sagemaker")
    assert len(sagemaker.list_endpoint_configs()["EndpointConfigs"]) == 1 == len(sagemaker.list_models()["Models"])

    if any(WHEELS.glob("pillow-*.whl")):  # moto's API Gateway refuses Chalice's Swagger 2.0: the deploy stops there
        code, out = host(str(Path(sys.executable).with_name("chalice")), "deploy", "--stage", "dev",
                         cwd="solutions/04_bot", ours=False)
        assert client("lambda").list_functions()["Functions"], "chalice deploy made its Lambdas before it stopped"

    code, out = host("make", "-s", "cleanup", f"BUCKET={BUCKET}")
    assert code == 0 and "Nothing of stage dev is left." in out, out
    assert what_the_workshop_left(client) == {}
    code, out = host("make", "-s", "cleanup", f"BUCKET={BUCKET}")
    assert code == 0 and "Deleted" not in out, "a second cleanup finds nothing: " + out
    status = subprocess.run(["git", "status", "--porcelain"], cwd=fresh_clone, capture_output=True, text=True)
    assert status.stdout == "", "the host's day leaves the clone as it was:\n" + status.stdout

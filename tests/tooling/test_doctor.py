"""`make doctor` against stand-in accounts: moto for S3, IAM, STS, SSM and Budgets; botocore's Stubber for Service
Quotas (moto has none for SageMaker), with answers shaped as the service sends them; X through `responses`, checked
against X's OpenAPI spec. A ready account passes every check; each missing piece fails its own check, by name."""
import contextlib
import functools
import json
import os
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import botocore.loaders
import botocore.session
import pytest
import responses
from botocore.stub import Stubber
from moto import mock_aws
from moto.iam.aws_managed_policies import aws_managed_policies_data

from shutdown_poll import POLL
from workshop import __main__, loader, x_stand_in
from workshop.doctor import Host, preflight, role
from workshop.paths import ROOT

x_contract = loader.load(ROOT / "tests" / "step04", "x_contract")
BOT = ROOT / "solutions" / "04_bot"
ACCOUNT = "123456789012"
BUCKET = "whereml-host-test"  # no "sagemaker" in it: AmazonSageMakerFullAccess alone does not cover it
ROLE = "whereml-sagemaker"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
BOT_ID, BOT_NAME = "1500000000000000001", "whereml_bot"
ME = "https://api.twitter.com/2/users/me"
SECRETS = {"consumer_key": "ck", "consumer_secret": "cs", "access_token": "at", "access_token_secret": "ats",
           "bearer_token": "bt"}
CHECKS = dict(preflight.CHECKS)
# What Service Quotas lists for a ready account: name -> (code, value). Codes as the console shows them.
READY_QUOTAS = {
    "ml.m5.xlarge for training job usage": ("L-D9459C61", 1.0),
    "ml.c5.2xlarge for processing job usage": ("L-2E9B1C2A", 1.0),
    "ml.c5.large for endpoint usage": ("L-4D27DFDD", 1.0),
    "Maximum total concurrency that can be allocated across all serverless endpoints": ("L-96300102", 10.0),
}
SAGEMAKER_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
BUCKET_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{BUCKET}/*"},
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{BUCKET}"}]}


class Models(botocore.loaders.Loader):
    """botocore's reader of the services' models (megabytes of JSON), shared by the tests' sessions: each session
    reads every model it uses again, and each test makes new ones, as each run of `make doctor` does."""

    @property
    def search_paths(self):
        return [*super().search_paths]  # boto3 adds its folder to each new session's: here, to a copy


MODELS = Models(extra_search_paths=[str(Path(boto3.__file__).parent / "data")])


def new_session():
    """A new botocore session, as boto3 makes one, that reads the models through MODELS."""
    core = botocore.session.Session()
    core.register_component("data_loader", MODELS)
    return core


def service_quota(name, code, value, region="us-west-2"):
    """One ServiceQuota of ListServiceQuotas' answer, every field the service fills for a SageMaker quota."""
    return {
        "ServiceCode": "sagemaker", "ServiceName": "Amazon SageMaker",
        "QuotaArn": f"arn:aws:servicequotas:{region}:{ACCOUNT}:sagemaker/{code}", "QuotaCode": code,
        "QuotaName": name, "Value": value, "Unit": "None", "Adjustable": True, "GlobalQuota": False,
        "QuotaAppliedAtLevel": "ACCOUNT",
        "UsageMetric": {"MetricNamespace": "AWS/Usage", "MetricName": "ResourceCount",
                        "MetricDimensions": {"Class": "None", "Resource": name.split(" ")[0], "Service": "SageMaker",
                                             "Type": "Resource"},
                        "MetricStatisticRecommendation": "Maximum"},
    }


class StandIn:
    """An account, its X app and the bot's config; `lines(check)` runs one of doctor's checks against them."""

    def __init__(self, tmp_path, monkeypatch, x):
        self.quotas = dict(READY_QUOTAS)
        self.default_quotas = {}  # what ListAWSDefaultServiceQuotas answers, when doctor asks
        self.region = "us-west-2"
        self.bucket, self.role_arn, self.processing = BUCKET, ROLE_ARN, 1
        self.x = x
        self.config = tmp_path / "config.json"
        self.settings(BOT_USER_ID=BOT_ID, BOT_SCREEN_NAME=BOT_NAME)
        monkeypatch.setattr(loader.load(BOT, "stage_config"), "CONFIG", self.config)
        monkeypatch.setattr(role, "POLICY_FOLDER", tmp_path / "doctor")  # the policy a role lacks goes here

    def settings(self, **values):
        """The bot's .chalice/config.json with the dev stage's variables changed to `values`."""
        config = json.loads((BOT / ".chalice" / "config.json").read_text())
        config["stages"]["dev"]["environment_variables"].update(values)
        self.config.write_text(json.dumps(config))

    def host(self):
        session = boto3.session.Session(botocore_session=new_session(), region_name=self.region)
        host = Host(session, self.bucket, self.role_arn, "dev", self.processing)
        self.quotas_stub(host)
        return host

    def quotas_stub(self, host):
        """Service Quotas' answer to ListServiceQuotas for SageMaker, stubbed on the host's client."""
        if not host.session.region_name:
            return  # no client without a region: the check says so
        stubber = Stubber(host.client("service-quotas"))
        for operation, listed in (("list_service_quotas", self.quotas),
                                  ("list_aws_default_service_quotas", self.default_quotas)):
            quotas = [service_quota(name, code, value, self.region) for name, (code, value) in listed.items()]
            stubber.add_response(operation, {"Quotas": quotas}, {"ServiceCode": "sagemaker"})
        stubber.activate()

    def lines(self, check, host=None):
        return preflight.run(host or self.host(), [(check, CHECKS[check])])


@functools.cache
def sagemaker_full_access():
    """The policy document of AWS's AmazonSageMakerFullAccess, as moto keeps it (its JSON of every managed policy
    takes a sixth of a second to read: once a run)."""
    return json.dumps(json.loads(aws_managed_policies_data)["AmazonSageMakerFullAccess"]["Document"])


def make_ready():
    iam, s3 = boto3.client("iam"), boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(SAGEMAKER_TRUST))
    # AWS's own AmazonSageMakerFullAccess (moto keeps a copy), as a policy of the account: loading all of AWS's
    # managed policies into moto takes seconds a test.
    arn = iam.create_policy(PolicyName="AmazonSageMakerFullAccess", PolicyDocument=sagemaker_full_access())
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=arn["Policy"]["Arn"])
    iam.put_role_policy(RoleName=ROLE, PolicyName="whereml-bucket", PolicyDocument=json.dumps(BUCKET_POLICY))
    boto3.client("ssm").put_parameter(Name="/whereml/dev/x-secrets", Type="SecureString", Value=json.dumps(SECRETS))
    boto3.client("budgets").create_budget(AccountId=ACCOUNT, Budget={
        "BudgetName": "monthly", "BudgetLimit": {"Amount": "20", "Unit": "USD"}, "TimeUnit": "MONTHLY",
        "BudgetType": "COST"})


@pytest.fixture
def x():
    with x_stand_in.x_api() as mock:
        yield mock
        x_contract.check_calls(mock.calls)


@pytest.fixture
def bare(tmp_path, monkeypatch, x):
    """A new account: credentials and a region, and nothing else; every instance quota 0."""
    with mock_aws():
        boto3.setup_default_session(botocore_session=new_session())  # boto3.client()'s, in the mock
        stand_in = StandIn(tmp_path, monkeypatch, x)
        stand_in.quotas = {name: (code, 0.0) for name, (code, _) in READY_QUOTAS.items()}
        yield stand_in


@pytest.fixture
def ready(tmp_path, monkeypatch, x):
    """An account set up for the workshop: the bucket, the role (AWS's own AmazonSageMakerFullAccess and a bucket
    policy), the X credentials in SSM, a budget, quotas of 1 and more, and the X account the token belongs to."""
    with mock_aws():
        boto3.setup_default_session(botocore_session=new_session())  # boto3.client()'s, in the mock
        make_ready()
        x.add(responses.GET, ME, json={"data": {"id": BOT_ID, "name": "WhereML", "username": BOT_NAME}})
        yield StandIn(tmp_path, monkeypatch, x)


def failures(stand_in, host=None):
    """{check: its FIX lines}, every check run on one Host."""
    host = host or stand_in.host()
    return {check: [line.text for line in stand_in.lines(check, host) if not line.ok] for check in CHECKS}


def test_a_ready_account_passes_every_check_and_exits_0(ready, capsys, monkeypatch):
    assert {check: lines for check, lines in failures(ready).items() if lines} == {}
    monkeypatch.setattr(preflight, "Host", lambda session, *args: ready.host())
    assert preflight.main(["--bucket", BUCKET, "--role", ROLE_ARN]) == 0
    out = capsys.readouterr().out
    assert "FIX" not in out and out.count("\nok ") >= len(CHECKS) - 1 and "Ready for the stream." in out


def test_a_bare_account_exits_1_with_a_fix_line_for_each_missing_piece(bare, capsys, monkeypatch):
    monkeypatch.setattr(preflight, "Host", lambda session, *args: bare.host())
    assert preflight.main(["--bucket", BUCKET, "--role", ROLE_ARN]) == 1
    out = capsys.readouterr().out
    # bucket, the role (once, though trust and permissions both need it), 4 quotas, the X credentials (once, though
    # the webhook secret and BOT_USER_ID need them too), budget
    assert out.count("FIX  ") == 8 and "8 to fix before the stream" in out, out
    assert out.count(f"role {ROLE} does not exist") == 1 and out.count("no X credentials in SSM") == 1, out


@pytest.mark.parametrize("check, words", [
    ("S3 bucket", f"aws s3 mb s3://{BUCKET}"),
    ("execution role trust", f"role {ROLE} does not exist"),
    ("execution role permissions", f"role {ROLE} does not exist"),
    ("SageMaker quotas", "'ml.c5.large for endpoint usage' is 0, make deploy needs 1: request an increase at https://"
                         "us-west-2.console.aws.amazon.com/servicequotas/home/services/sagemaker/quotas/L-4D27DFDD"),
    ("X credentials", "`cd solutions/04_bot && ../../.venv/bin/python setup_aws.py --stage dev`"),
    ("X webhook secret", "no X credentials in SSM parameter /whereml/dev/x-secrets"),
    ("BOT_USER_ID", "no X credentials in SSM parameter /whereml/dev/x-secrets"),
    ("budget", f"aws budgets create-budget --account-id {ACCOUNT}"),
])
def test_a_bare_account_names_what_is_missing(bare, check, words):
    found = [line.text for line in bare.lines(check) if not line.ok]
    assert any(words in line for line in found), f"{check}: {found}"


def no_credentials(stand_in, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def no_region(stand_in, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION")
    stand_in.region = None


def bucket_elsewhere(stand_in, monkeypatch):
    stand_in.region = "eu-central-1"


def trusts_lambda_only(stand_in, monkeypatch):
    trust = json.loads(json.dumps(SAGEMAKER_TRUST).replace("sagemaker.amazonaws.com", "lambda.amazonaws.com"))
    boto3.client("iam").update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(trust))


def no_bucket_policy(stand_in, monkeypatch):
    boto3.client("iam").delete_role_policy(RoleName=ROLE, PolicyName="whereml-bucket")


def denies_writing(stand_in, monkeypatch):
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:Put*", "Resource": "*"}]}
    boto3.client("iam").put_role_policy(RoleName=ROLE, PolicyName="read-only", PolicyDocument=json.dumps(deny))


def serverless_concurrency_1(stand_in, monkeypatch):
    name = "Maximum total concurrency that can be allocated across all serverless endpoints"
    stand_in.quotas[name] = ("L-96300102", 1.0)


def sixteen_packers(stand_in, monkeypatch):
    stand_in.processing = 16


def quota_not_listed(stand_in, monkeypatch):
    del stand_in.quotas["ml.m5.xlarge for training job usage"]


def default_quota_0(stand_in, monkeypatch):
    """Service Quotas lists no applied value for it: AWS's default (0 on a new account) is what counts."""
    name = "ml.m5.xlarge for training job usage"
    stand_in.default_quotas[name] = stand_in.quotas.pop(name)[0], 0.0


def token_refused(stand_in, monkeypatch):
    stand_in.x.replace(responses.GET, ME, status=401, json={
        "title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})


def placeholder_user_id(stand_in, monkeypatch):
    stand_in.settings(BOT_USER_ID="0")


def other_user_id(stand_in, monkeypatch):
    stand_in.settings(BOT_USER_ID="1500000000000000002")


def no_consumer_secret(stand_in, monkeypatch):
    secrets = dict(SECRETS, consumer_secret="")
    boto3.client("ssm").put_parameter(Name="/whereml/dev/x-secrets", Type="SecureString", Overwrite=True,
                                      Value=json.dumps(secrets))


def no_budget(stand_in, monkeypatch):
    boto3.client("budgets").delete_budget(AccountId=ACCOUNT, BudgetName="monthly")


AFTER_X = {"X credentials", "BOT_USER_ID"}  # checks that need a working token
AFTER_SSM = AFTER_X | {"X webhook secret"}  # SSM is regional: the stage's X credentials are in us-west-2
AFTER_CREDENTIALS = set(CHECKS) - {"region"}  # checks that need credentials
# Checks of regional things (SSM, which holds the X credentials, is one).
AFTER_REGION = {"S3 bucket", "execution role permissions", "SageMaker quotas", "X webhook secret"} | AFTER_X


@pytest.mark.parametrize("breaks, check, words, follow", [
    (no_credentials, "AWS credentials", "aws configure", AFTER_CREDENTIALS),
    (no_region, "region", "export AWS_DEFAULT_REGION=us-west-2", AFTER_REGION),
    (bucket_elsewhere, "S3 bucket", "export AWS_DEFAULT_REGION=us-west-2", AFTER_SSM),
    (trusts_lambda_only, "execution role trust", "does not trust sagemaker.amazonaws.com", ()),
    (no_bucket_policy, "execution role permissions", "lacks s3:GetObject, s3:PutObject", ()),
    (denies_writing, "execution role permissions", "lacks s3:PutObject", ()),
    (serverless_concurrency_1, "SageMaker quotas", "is 1, make deploy SERVERLESS=1 needs 2", ()),
    (sixteen_packers, "SageMaker quotas", "'ml.c5.2xlarge for processing job usage' is 1, make data PROCESSING=16 "
                                          "needs 16", ()),
    (quota_not_listed, "SageMaker quotas", "'ml.m5.xlarge for training job usage' is not listed", ()),
    (default_quota_0, "SageMaker quotas", "'ml.m5.xlarge for training job usage' is 0, make train needs 1", ()),
    (token_refused, "X credentials", "X answered 401", AFTER_X),
    (placeholder_user_id, "BOT_USER_ID", "BOT_USER_ID '0', a placeholder", ()),
    (other_user_id, "BOT_USER_ID", f'set "BOT_USER_ID": "{BOT_ID}"', ()),
    (no_consumer_secret, "X webhook secret", "lacks consumer_secret", AFTER_X),
    (no_budget, "budget", "no AWS budget", ()),
], ids=lambda value: value.__name__ if callable(value) else "")
def test_one_missing_piece_fails_its_own_check(ready, monkeypatch, breaks, check, words, follow):
    breaks(ready, monkeypatch)
    found = {name: lines for name, lines in failures(ready).items() if lines}
    assert any(words in line for line in found.get(check, [])), f"{check}: {found.get(check)}"
    others = {name: lines for name, lines in found.items() if name != check and name not in follow}
    assert others == {}, f"only {check} (and what needs it: {sorted(follow)}) should fail, also: {others}"


def test_a_region_other_than_multimedia_commons_says_what_reads_cost(ready):
    ready.region = "eu-central-1"
    [line] = ready.lines("region")
    assert line.ok and "us-west-2" in line.text and "inter-region" in line.text


def test_doctor_only_reads(ready):
    """Every call doctor makes to AWS asks (Get, List, Describe, Head): it never changes the account."""
    host = ready.host()
    calls = []
    host.session.events.register("before-call", lambda model, **_: calls.append(model.name))
    host.clients.clear()  # clients made from now on report their calls
    ready.quotas_stub(host)
    assert {name: lines for name, lines in failures(ready, host).items() if lines} == {}
    assert calls and all(call.startswith(("Get", "List", "Describe", "Head")) for call in calls), calls


@pytest.mark.parametrize("document, action, resource, allowed", [
    ({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}, "s3:GetObject", "arn:aws:s3:::b/k", True),
    ({"Statement": [{"Effect": "Allow", "Action": "S3:getobject", "Resource": "arn:aws:s3:::b/*"}]},
     "s3:GetObject", "arn:aws:s3:::b/k", True),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::B/*"}]},
     "s3:GetObject", "arn:aws:s3:::b/k", False),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b?/*"}]},
     "s3:GetObject", "arn:aws:s3:::b/k", False),
    ({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}, "s3:GetObject", "x", True),
    ({"Statement": [{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::b/*"}]},
     "s3:GetObject", "arn:aws:s3:::b/k", False),
    ({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}, "s3:GetObject", "x", False),
    ({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                     "Condition": {"StringEquals": {"aws:RequestedRegion": "us-west-2"}}}]},
     "s3:GetObject", "x", False),
], ids=["a service wildcard", "actions ignore case", "resources do not", "? is one character", "NotAction",
        "NotResource", "a Deny wins", "a conditional Allow is not counted"])
def test_policy_reading_follows_iam(document, action, resource, allowed):
    assert role.allows([document], action, resource) is allowed


def test_the_quotas_are_those_of_the_commands_defaults():
    from workshop.doctor import quotas

    endpoint = loader.load(BOT.parent / "03_host", "endpoint_defaults")  # deploy.py's: tests/step03 checks that
    assert [(name, count) for name, count, _ in quotas.needs(3)] == [
        ("ml.m5.xlarge for training job usage", 1), ("ml.c5.2xlarge for processing job usage", 3),
        (f"{endpoint.INSTANCE_TYPE} for endpoint usage", 1),
        ("Maximum total concurrency that can be allocated across all serverless endpoints",
         endpoint.SERVERLESS_MAX_CONCURRENCY),
    ]


def test_the_quotas_are_read_without_the_sdk_or_mxnet():
    """deploy.py's defaults come from endpoint_defaults.py: importing deploy.py (the SDK, MXNet) took seconds of
    every `make doctor`."""
    code = ("import sys; from workshop.doctor import quotas; quotas.needs(); "
            "print(sorted({'sagemaker', 'mxnet'} & set(sys.modules)))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.strip() == "[]", run.stdout + run.stderr


def test_make_doctor_runs_the_preflight():
    makefile = (ROOT / "Makefile").read_text()
    assert "$(WORKSHOP) doctor" in makefile and "doctor" in __main__.FORWARDED


@pytest.mark.parametrize("breaks, causes", [
    ((no_credentials,), ["no AWS credentials"]),
    ((no_region,), ["no AWS region"]),
    ((no_credentials, no_region), ["no AWS credentials", "no AWS region"]),
], ids=["no credentials", "no region", "neither"])
def test_a_missing_root_is_one_line_not_one_per_check(ready, monkeypatch, capsys, breaks, causes):
    for broken in breaks:
        broken(ready, monkeypatch)
    monkeypatch.setattr(preflight, "Host", lambda session, *args: ready.host())
    assert preflight.main(["--bucket", BUCKET, "--role", ROLE_ARN]) == 1
    out = capsys.readouterr().out
    fixes = [line for line in out.splitlines() if line.startswith("FIX")]
    assert [cause for cause, line in zip(causes, fixes) if cause in line] == causes and len(fixes) == len(causes), out
    assert "setup_aws.py" not in out, "no X line blames the X setup for a missing region or credentials"


def test_a_placeholder_bot_user_id_is_flagged_even_before_x_works(bare):
    bare.settings(BOT_USER_ID="0")
    [line] = bare.lines("BOT_USER_ID")
    assert not line.ok and "placeholder" in line.text


def test_the_permissions_fix_ships_a_policy_file_and_the_command(ready, monkeypatch):
    monkeypatch.setattr(role, "POLICY_FOLDER", ROOT / "build" / "doctor-test")  # named relative to the repository
    no_bucket_policy(ready, monkeypatch)
    [line] = ready.lines("execution role permissions")
    assert not line.ok and len(line.text) < 300, line.text
    written = ROOT / "build" / "doctor-test" / f"{ROLE}-policy.json"
    assert f"aws iam put-role-policy --role-name {ROLE} --policy-name whereml-workshop --policy-document " \
           f"file://build/doctor-test/{ROLE}-policy.json" in line.text
    policy = json.loads(written.read_text())
    granted = {(action, statement["Resource"]) for statement in policy["Statement"] for action in statement["Action"]}
    assert ("s3:GetObject", f"arn:aws:s3:::{BUCKET}/whereml/model.tar.gz") in granted
    iam = boto3.client("iam")  # the file is a policy IAM takes, and with it the check passes
    iam.put_role_policy(RoleName=ROLE, PolicyName="whereml-workshop", PolicyDocument=written.read_text())
    assert all(line.ok for line in ready.lines("execution role permissions"))
    written.unlink()
    written.parent.rmdir()


def x_errors_only(stand_in, monkeypatch):
    stand_in.x.replace(responses.GET, ME, json={"errors": [{"title": "Forbidden", "type": "about:blank",
                                                            "detail": "Forbidden", "status": 403}]})


def secrets_as_numbers(stand_in, monkeypatch):
    boto3.client("ssm").put_parameter(Name="/whereml/dev/x-secrets", Type="SecureString", Overwrite=True,
                                      Value=json.dumps({key: 12345 for key in SECRETS}))


def config_trailing_comma(stand_in, monkeypatch):
    text = json.dumps(json.loads(stand_in.config.read_text()), indent=2)
    stand_in.config.write_text(text.replace('"DRY_RUN": "1"', '"DRY_RUN": "1",', 1))


def x_html_page(stand_in, monkeypatch):
    stand_in.x.replace(responses.GET, ME, status=403, content_type="text/html",
                       body="<html><head><title>Access denied</title></head><body><h1>Blocked</h1>" + "x" * 3000)


@pytest.mark.parametrize("breaks, words", [
    (x_errors_only, "X answered GET /2/users/me without the account"),
    (secrets_as_numbers, "lacks consumer_key, consumer_secret, access_token, access_token_secret, bearer_token "
                         "(each a non-empty string)"),
    (config_trailing_comma, "solutions/04_bot/.chalice/config.json line "),
    (x_html_page, "X refused GET /2/users/me"),
], ids=lambda value: value.__name__ if callable(value) else "")
def test_hostile_x_and_config_answers_are_one_sentence(ready, monkeypatch, capsys, breaks, words):
    breaks(ready, monkeypatch)
    monkeypatch.setattr(preflight, "Host", lambda session, *args: ready.host())
    assert preflight.main(["--bucket", BUCKET, "--role", ROLE_ARN]) == 1
    ready.x.calls.reset()  # these answers break X's spec on purpose (its requests are checked in the tests above)
    out = capsys.readouterr().out
    assert words in out and "Traceback" not in out and "<" not in out, out
    assert max(len(line) for line in out.splitlines()) < 400, out


class Answers(socketserver.ThreadingTCPServer):
    """A stand-in for AWS on 127.0.0.1 that answers every request with `reply(handler)`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, reply):
        self.reply, self.stop = reply, threading.Event()
        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, kwargs=POLL, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self):
        self.stop.set()
        self.shutdown()
        self.server_close()


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        self.request.settimeout(1)
        with contextlib.suppress(OSError):
            self.request.recv(65536)  # the request, unread past its first bytes
        with contextlib.suppress(OSError):
            self.server.reply(self)


def never_answers(handler):
    handler.server.stop.wait()


def a_byte_every_2_s(handler):
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b" " * 100000:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        if handler.server.stop.wait(2):
            return


def answer(status, content_type, body):
    def reply(handler):
        handler.wfile.write(f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                            f"Connection: close\r\n\r\n".encode() + body)
    reply.__name__ = f"{status.split()[0]} {content_type} {len(body)} bytes"
    return reply


BLOCK_PAGE = b"<html><head><title>Blocked</title></head><body><h1>Access to this site is blocked</h1></body></html>"


@pytest.fixture
def aws_stand_in(monkeypatch, tmp_path):
    """start(reply): AWS_ENDPOINT_URL points every client at a 127.0.0.1 server answering with reply."""
    servers = []
    config = tmp_path / "config.json"
    config.write_text((BOT / ".chalice" / "config.json").read_text().replace('"BOT_USER_ID": "0"',
                                                                             f'"BOT_USER_ID": "{BOT_ID}"'))
    monkeypatch.setattr(loader.load(BOT, "stage_config"), "CONFIG", config)

    def start(reply):
        servers.append(Answers(reply))
        monkeypatch.setenv("AWS_ENDPOINT_URL", servers[-1].url)
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.mark.parametrize("reply", [
    answer("200 OK", "text/xml", b""),
    answer("200 OK", "text/html", BLOCK_PAGE),
    answer("403 Forbidden", "text/html", BLOCK_PAGE),
    answer("200 OK", "application/x-amz-json-1.1", b"{}"),
    answer("500 Internal Server Error", "text/plain", b"oops"),
], ids=lambda reply: reply.__name__)
def test_answers_that_are_not_aws_become_one_sentence_each(aws_stand_in, capsys, reply):
    aws_stand_in(reply)
    assert preflight.main(["--bucket", BUCKET, "--role", ROLE_ARN, "--seconds", "30"]) == 1
    out = capsys.readouterr().out
    assert "FIX" in out and "Traceback" not in out and "<" not in out, out
    assert max(len(line) for line in out.splitlines()) < 400, out


@pytest.mark.parametrize("reply", [never_answers, a_byte_every_2_s], ids=lambda reply: reply.__name__)
def test_a_stalled_aws_ends_the_run_at_its_deadline(aws_stand_in, capsys, reply):
    aws_stand_in(reply)
    started = time.monotonic()
    assert preflight.main(["--bucket", BUCKET, "--role", ROLE_ARN, "--seconds", "4"]) == 1
    assert time.monotonic() - started < 6, "one deadline for the whole run"
    out = capsys.readouterr().out
    assert "FIX  no answer within 4 s" in out and "not checked: " in out, out


def test_every_aws_call_has_short_timeouts_and_few_retries():
    host = Host(boto3.session.Session(region_name="us-west-2"))
    config = host.client("sts").meta.config
    assert config.connect_timeout <= 5 and config.read_timeout <= 10 and config.retries["total_max_attempts"] <= 3


def test_doctor_prints_no_sdk_config_lines_and_no_traceback(tmp_path):
    env = dict(os.environ, AWS_DEFAULT_REGION="", AWS_REGION="")
    env.pop("AWS_DEFAULT_REGION")
    env.pop("AWS_REGION")
    run = subprocess.run([sys.executable, "-m", "workshop.doctor", "--seconds", "20"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "sagemaker.config" not in run.stdout + run.stderr, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and "no AWS region" in run.stdout, run.stdout + run.stderr

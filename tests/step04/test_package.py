"""`chalice package` of the bot, offline, and the stage config it is made from (.chalice/config.json, policies)."""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

VARIABLES = {"ENDPOINT_NAME", "QUEUE_NAME", "TABLE_NAME", "X_SECRETS_PARAM", "BOT_USER_ID", "BOT_SCREEN_NAME", "PAGE_DAILY_CAP",
             "DRY_RUN"}


@pytest.fixture(scope="module")
def packages(tree, tmp_path_factory, lambda_wheels):
    """packages(stage) -> sam.json and deployment.zip of the stage, built (once) from a copy of the bot with pip kept
    off the network."""
    work = tmp_path_factory.mktemp("package")
    shutil.copytree(tree / "04_bot", work / "bot", ignore=shutil.ignore_patterns("__pycache__", "deployments"))
    for template in (work / "bot" / ".chalice").glob("policy-*.json"):  # what setup_aws.py writes, for no account
        account_file = template.with_name(template.name.replace(".json", ".account.json"))
        if not account_file.exists():
            shutil.copy(template, account_file)
    # Chalice runs pip with this environment: no index, only the wheels fetched beforehand.
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(lambda_wheels), AWS_DEFAULT_REGION="us-west-2")
    chalice = Path(sys.executable).with_name("chalice")
    built = {}

    def package_of(stage):
        if stage not in built:
            out = work / stage
            # The page's limits: chalice has no setting for API Gateway's throttling, its packaged template takes it.
            limits = ["--merge-template", str(Path(".chalice") / "page-limits.json")]
            done = subprocess.run([str(chalice), "package", "--stage", stage, *limits, str(out)], cwd=work / "bot",
                                  env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stdout + done.stderr
            assert "Could not install dependencies" not in done.stdout + done.stderr, done.stdout + done.stderr
            built[stage] = json.loads((out / "sam.json").read_text()), out / "deployment.zip"
        return built[stage]

    return package_of


@pytest.fixture(scope="module")
def package(packages):
    return packages("dev")


def resources(template, kind):
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def test_the_template_serves_both_webhook_routes(package):
    (api,) = resources(package[0], "AWS::Serverless::Api").values()
    routes = api["Properties"]["DefinitionBody"]["paths"]["/twitter/webhook"]
    assert {"get", "post"} <= set(routes)


def test_the_template_serves_the_page_and_takes_its_photos_as_bytes(package):
    (api,) = resources(package[0], "AWS::Serverless::Api").values()
    definition = api["Properties"]["DefinitionBody"]
    assert "get" in definition["paths"]["/"] and "post" in definition["paths"]["/ask"]
    assert "multipart/form-data" in definition["x-amazon-apigateway-binary-media-types"], (
        "API Gateway hands the form's photo to the Lambda as bytes only for a binary media type")


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_stage_throttles_the_page_and_answers_a_throttled_request_with_a_429_page(packages, stage):
    (api,) = resources(packages(stage)[0], "AWS::Serverless::Api").values()
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in api["Properties"].get("MethodSettings", [])}
    ask = settings.get(("/~1ask", "POST"))
    assert ask and ask["ThrottlingRateLimit"] <= 2 and ask["ThrottlingBurstLimit"] <= 10, (
        "POST /ask: a few photos a second at most (.chalice/page-limits.json)")
    everything = settings.get(("/*", "*"))
    assert everything and everything["ThrottlingRateLimit"] >= ask["ThrottlingRateLimit"]
    throttled = api["Properties"]["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]["THROTTLED"]
    assert throttled["statusCode"] == "429"
    assert "Too many photos" in throttled["responseTemplates"]["text/html"]
    assert json.loads(throttled["responseTemplates"]["application/json"])["error"].startswith("Too many photos")


def test_the_worker_is_triggered_by_the_stage_queue_one_message_at_a_time(package, load):
    functions = resources(package[0], "AWS::Serverless::Function")
    events = [e for f in functions.values() for e in (f["Properties"].get("Events") or {}).values()]
    (sqs,) = [e["Properties"] for e in events if e["Type"] == "SQS"]
    assert sqs["Queue"]["Fn::Sub"].endswith(":whereml-dev-work") and sqs["BatchSize"] == 1
    (schedule,) = [e["Properties"] for e in events if e["Type"] == "Schedule"]
    assert schedule["Schedule"].startswith("rate(")
    worker = next(f for f in functions.values() if f["Properties"]["Handler"] == "app.answer_mention")
    visibility = int(load("04_bot", "setup_aws").VISIBILITY_TIMEOUT)
    assert worker["Properties"]["Timeout"] * 6 <= visibility, (
        f"the queue's visibility ({visibility} s, setup_aws.py) must cover 6 worker timeouts")


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_role_has_exactly_the_stage_policy(packages, config, tree, stage):
    policy_file = tree / "04_bot" / ".chalice" / f"policy-{stage}.json"  # the template of the stage's account file
    roles = resources(packages(stage)[0], "AWS::IAM::Role")
    assert roles
    for role in roles.values():
        assert [p["PolicyDocument"] for p in role["Properties"]["Policies"]] == [json.loads(policy_file.read_text())], (
            f"the template's roles carry {policy_file.name}, and nothing else")


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_cfn_lint_finds_nothing_wrong_in_the_stage_template(packages, stage):
    """cfn-lint knows every resource's schema (SAM's too), IAM policy grammar and Lambda's runtimes."""
    from cfnlint.api import lint  # imported here: it takes half a second, and most runs of step 4 never lint

    matches = lint(json.dumps(packages(stage)[0]), regions=["us-west-2"])
    assert matches == [], "\n".join(str(match) for match in matches)


def test_the_zip_holds_the_app_the_basemap_and_linux_wheels_under_15_mb(package):
    with zipfile.ZipFile(package[1]) as deployment:
        names = set(deployment.namelist())
    assert {"app.py", "chalicelib/webhook.py", "chalicelib/basemap.png", "chalicelib/page.html",
            "tweepy/__init__.py"} <= names
    assert any(n.startswith("PIL/_imaging.cpython-311-x86_64-linux-gnu") for n in names), "Pillow for Lambda"
    assert not any("boto3/" in n or "__pycache__" in n for n in names), "Lambda has boto3; no caches"
    assert package[1].stat().st_size <= 15 * 2**20


@pytest.fixture(scope="module")
def config(tree):
    return json.loads((tree / "04_bot" / ".chalice" / "config.json").read_text())


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_each_stage_sets_every_variable_and_its_own_least_privilege_policy(tree, config, stage):
    settings = config["stages"][stage]
    variables = settings["environment_variables"]
    assert VARIABLES <= set(variables), f"stage {stage} lacks {VARIABLES - set(variables)}"
    assert config.get("autogen_policy", settings.get("autogen_policy")) is False
    policy = json.loads((tree / "04_bot" / ".chalice" / f"policy-{stage}.json").read_text())
    granted = {action: statement["Resource"] for statement in policy["Statement"]
               for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])}
    assert granted["sagemaker:InvokeEndpoint"].endswith(f":endpoint/{variables['ENDPOINT_NAME']}")
    assert granted["ssm:GetParameter"].endswith(f":parameter{variables['X_SECRETS_PARAM']}")
    assert granted["sqs:SendMessage"].endswith(f":{variables['QUEUE_NAME']}")
    assert granted["sqs:ChangeMessageVisibility"].endswith(f":{variables['QUEUE_NAME']}")
    assert granted["dynamodb:PutItem"].endswith(f":table/{variables['TABLE_NAME']}")
    assert not any("*" in action for action in granted), "grant named actions only"
    assert all(resource.count("*") <= 2 for action, resource in granted.items() if not action.startswith("logs:"))


def test_the_stages_use_separate_resources(config):
    dev, prod = (config["stages"][s]["environment_variables"] for s in ("dev", "prod"))
    for name in ("QUEUE_NAME", "TABLE_NAME", "X_SECRETS_PARAM"):
        assert dev[name] != prod[name]

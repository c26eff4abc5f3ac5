"""The IAM policy grants every AWS call the bot makes: the webhook, the worker (answered, rate limited, uncertain),
the poller and the web page run, and each call botocore is about to send is looked up in .chalice/policy-dev.json."""
import json

import pytest
import responses
from urllib3.filepost import encode_multipart_formdata

from bot_stand_ins import (
    API,
    P1,
    P2,
    P3,
    allow_reply,
    deliver,
    mention_delivery,
    post_event,
    post_photo_of,
    serve_photo,
)
from workshop.paths import ROOT

PAGE_PHOTO = ROOT / "photos" / "cape-canaveral-falcon9-dscovr.jpg"

IAM_PREFIX = {"sagemaker-runtime": "sagemaker"}  # botocore's service name -> IAM's
BATCH_ACTIONS = {"sqs:SendMessageBatch": "sqs:SendMessage"}  # IAM grants a batch call through the single action


@pytest.fixture
def aws_calls(chalicelib):
    """The "service:Operation" of every call the bot's boto3 session makes (clients made anew, with the hook)."""
    calls = set()
    aws_clients, endpoint, web_page = chalicelib("aws_clients"), chalicelib("endpoint"), chalicelib("web_page")

    def seen(event_name, **kwargs):
        _, service, operation = event_name.split(".")
        action = f"{IAM_PREFIX.get(service, service)}:{operation}"
        calls.add(BATCH_ACTIONS.get(action, action))

    aws_clients.client.cache_clear(), endpoint._runtime.cache_clear(), web_page._runtime.cache_clear()
    aws_clients.SESSION.events.register("before-call", seen)
    yield calls
    aws_clients.SESSION.events.unregister("before-call", seen)
    aws_clients.client.cache_clear(), endpoint._runtime.cache_clear(), web_page._runtime.cache_clear()


def test_every_aws_call_of_the_bot_is_granted_by_its_policy(client, aws, x, aws_calls, tree):
    for post_id, status in ((P1, 201), (P2, 429), (P3, 503)):
        post_event(client, mention_delivery(post_id))
        serve_photo(x, post_photo_of(post_id))
        allow_reply(x, status)
        deliver(client, aws)
        x.remove(responses.POST, f"{API}/2/tweets")
    post_event(client, mention_delivery(P1))  # a second delivery: found answered
    allow_reply(x)
    deliver(client, aws)
    x.add(responses.GET, f"{API}/2/users/1001/mentions", json={"meta": {"result_count": 0}})
    client.lambda_.invoke("poll_mentions", client.events.generate_cw_event("aws.events", "Scheduled Event", {}, []))
    body, content_type = encode_multipart_formdata({"photo": ("photo.jpg", PAGE_PHOTO.read_bytes(), "image/jpeg")})
    assert client.http.post("/ask", body=body, headers={"content-type": content_type}).status_code == 200  # the page
    assert "dynamodb:UpdateItem" in aws_calls, "the page counts its answers"
    policy = json.loads((tree / "04_bot" / ".chalice" / "policy-dev.json").read_text())
    granted = {action for statement in policy["Statement"]
               for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])}
    assert {"dynamodb:PutItem", "sqs:SendMessage", "sagemaker:InvokeEndpoint"} <= aws_calls
    assert aws_calls <= granted, f"grant {sorted(aws_calls - granted)} in .chalice/policy-*.json, or do not call it"


def wildcards(resource):
    """What in an ARN reaches past the stage's own resources: `*` as the whole resource, or in its partition,
    service, region or account (a `*` is fine only after the resource's own name, as in a log group's streams)."""
    fields = resource.split(":", 5)
    if resource == "*" or len(fields) < 6:
        return ["the resource is not one ARN"]
    named = zip(("partition", "service", "region", "account"), fields[1:5])
    problems = [f"{name} is {value!r}" for name, value in named if not value or "*" in value]
    if fields[5] == "*" or fields[5].startswith("*"):
        problems.append("the resource name is a wildcard")
    return problems


def resources_of(policy):
    listed = [statement["Resource"] for statement in policy["Statement"]]
    return [resource for entry in listed for resource in ([entry] if isinstance(entry, str) else entry)]


@pytest.mark.parametrize("resource", ["*", "arn:aws:logs:*:*:*", "arn:aws:sqs:*:123456789012:whereml-dev-work",
                                      "arn:aws:sqs:us-west-2:*:whereml-dev-work", "arn:aws:dynamodb:us-west-2::table/x",
                                      "arn:aws:logs:us-west-2:123456789012:*"])
def test_the_wildcard_check_catches_each_form(resource):
    assert wildcards(resource)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_each_stage_policy_names_only_its_own_resources(load, tree, stage):
    chalice_dir = tree / "04_bot" / ".chalice"
    settings = json.loads((chalice_dir / "config.json").read_text())["stages"][stage]
    template = f"policy-{stage}.json"  # setup_aws.py writes it for the host's account as the stage's iam_policy_file
    assert settings["iam_policy_file"] == f"policy-{stage}.account.json"
    policy = json.loads((chalice_dir / template).read_text())
    for resource in resources_of(policy):
        assert not wildcards(resource), f"{resource} in {template}: {wildcards(resource)}"
    names = settings["environment_variables"]
    own = (names["QUEUE_NAME"], names["TABLE_NAME"], names["X_SECRETS_PARAM"], f"endpoint/{names['ENDPOINT_NAME']}",
           f"/aws/lambda/whereml-bot-{stage}")
    for resource in resources_of(policy):
        assert any(name in resource for name in own), f"{resource} is not a resource of stage {stage}"
    region, account = resources_of(policy)[0].split(":")[3:5]  # REGION, 000000000000 until setup_aws.py writes them
    written = load("04_bot", "setup_aws").stage_policy(stage, account, region, chalice_dir / "config.json")
    assert policy == written, "the policy file is what setup_aws.py writes, with one account and region throughout"

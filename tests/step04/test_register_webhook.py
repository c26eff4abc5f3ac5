"""register_webhook.py with X intercepted: register the URL once (X API v2 /2/webhooks), subscribe the account."""
import json

import pytest
import responses
from bot_stand_ins import API, SECRETS, aws_client
from moto import mock_aws

URL = "https://abc123.execute-api.us-west-2.amazonaws.com/api/twitter/webhook"
SUBSCRIBE = f"{API}/2/account_activity/webhooks/8001/subscriptions/all"


@pytest.fixture
def register(load, x):
    with mock_aws():
        aws_client("ssm").put_parameter(Name="/whereml/dev/x-secrets", Value=json.dumps(SECRETS), Type="SecureString")
        yield load("04_bot", "register_webhook")


def test_registers_the_webhook_then_subscribes_the_account(register, x, capsys):
    x.add(responses.GET, f"{API}/2/webhooks", json={"data": [], "meta": {"result_count": 0}})
    x.add(responses.POST, f"{API}/2/webhooks", json={"data": {"id": "8001", "url": URL, "valid": True}})
    x.add(responses.POST, SUBSCRIBE, json={"data": {"subscribed": True}})
    register.main([URL])
    listed, created, subscribed = (call.request for call in x.calls)
    assert json.loads(created.body) == {"url": URL}
    assert created.headers["Authorization"] == "Bearer " + SECRETS["bearer_token"], "register with app-only auth"
    assert subscribed.headers["Authorization"].startswith(b"OAuth "), "subscribe with the account's OAuth 1.0a"
    assert all(call.request.req_kwargs.get("timeout") for call in x.calls)
    printed = capsys.readouterr().out
    assert "Registered: webhook 8001" in printed and SECRETS["bearer_token"] not in printed


def test_an_already_registered_url_is_reused(register, x, capsys):
    x.add(responses.GET, f"{API}/2/webhooks", json={"data": [{"id": "8001", "url": URL, "valid": True}]})
    x.add(responses.POST, SUBSCRIBE, json={"data": {"subscribed": True}})
    register.main([URL])
    assert [call.request.method for call in x.calls] == ["GET", "POST"]
    assert "Already registered" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, answers, message",
    [
        (["http://example.com/api/twitter/webhook"], [], "https URL"),
        ([URL.replace("/twitter/webhook", "/")], [], "twitter/webhook"),
        ([URL, "--stage", "qa"], [], "no stage 'qa'"),
        ([URL], [(responses.GET, f"{API}/2/webhooks", 403, {"title": "Forbidden"})], "X refused to list"),
        ([URL], [(responses.GET, f"{API}/2/webhooks", 200, {"data": []}),
                 (responses.POST, f"{API}/2/webhooks", 400, {"errors": [{"message": "CRC failed"}]})], "CRC failed"),
        ([URL], [(responses.GET, f"{API}/2/webhooks", 200, {"data": [{"id": "8001", "url": URL}]}),
                 (responses.POST, SUBSCRIBE, 200, {"data": {"subscribed": False}})], "did not confirm"),
    ],
    ids=["not https", "not the webhook path", "unknown stage", "X refuses", "CRC check fails", "not subscribed"],
)
def test_bad_registrations_say_what_to_do(register, x, argv, answers, message):
    for method, url, status, body in answers:
        x.add(method, url, status=status, json=body)
    with pytest.raises(SystemExit) as exit:
        register.main(argv)
    assert message in str(exit.value)


def test_missing_secrets_point_to_setup_aws(register):
    aws_client("ssm").delete_parameter(Name="/whereml/dev/x-secrets")
    with pytest.raises(SystemExit, match="setup_aws.py"):
        register.main([URL])

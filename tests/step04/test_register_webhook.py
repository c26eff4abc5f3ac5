"""register_webhook.py against a stand-in X that remembers: webhooks (X API v2 /2/webhooks), X Activity API
subscriptions (/2/activity/subscriptions) and the deprecated Account Activity subscription. Running it twice must
change nothing the second time: X itself answers a duplicate as it would, no success is faked."""
import json
import re

import pytest
import responses
from moto import mock_aws

from bot_stand_ins import API, BOT_ID, SECRETS, aws_client, problem

URL = "https://abc123.execute-api.us-west-2.amazonaws.com/api/twitter/webhook"


class XWebhooks:
    """What X keeps for the app: its webhooks, its Activity subscriptions, the Account Activity subscribers."""

    def __init__(self, mock, webhooks=()):
        self.webhooks, self.activity, self.subscribed = list(webhooks), [], set()
        self.stale_lists = 0  # how many times the list of subscriptions lags behind
        mock.add_callback(responses.GET, f"{API}/2/webhooks", callback=self.list_webhooks)
        mock.add_callback(responses.POST, f"{API}/2/webhooks", callback=self.create_webhook)
        mock.add_callback(responses.GET, re.compile(f"{API}/2/activity/subscriptions.*"), callback=self.list_activity)
        mock.add_callback(responses.POST, f"{API}/2/activity/subscriptions", callback=self.subscribe_activity)
        mock.add_callback(responses.DELETE, re.compile(f"{API}/2/activity/subscriptions/\\d+"), callback=self.delete)
        account = re.compile(f"{API}/2/account_activity/webhooks/(\\d+)/subscriptions/all")
        mock.add_callback(responses.GET, account, callback=self.check_account)
        mock.add_callback(responses.POST, account, callback=self.subscribe_account)

    def state(self):
        return json.dumps([self.webhooks, self.activity, sorted(self.subscribed)], sort_keys=True)

    def list_webhooks(self, request):
        return 200, {}, json.dumps({"data": self.webhooks, "meta": {"result_count": len(self.webhooks)}})

    def create_webhook(self, request):
        url = json.loads(request.body)["url"]
        if self.webhooks:  # one webhook a self-serve account
            return 403, {}, json.dumps(problem("Forbidden", 403, detail="TooManyWebhooks"))
        webhook = {"id": str(8001 + len(self.webhooks)), "url": url, "valid": True,
                   "created_at": "2026-12-01T10:00:00.000Z"}
        self.webhooks.append(webhook)
        return 200, {}, json.dumps({"data": webhook})

    def list_activity(self, request):
        if self.stale_lists:
            self.stale_lists -= 1
            return 200, {}, json.dumps({"data": []})
        return 200, {}, json.dumps({"data": self.activity})

    def subscribe_activity(self, request):
        body = json.loads(request.body)
        if any(s["event_type"] == body["event_type"] and s["filter"] == body["filter"] for s in self.activity):
            return 409, {}, json.dumps(problem("Conflict", 409, detail="DuplicateSubscription"))
        subscription = {"subscription_id": str(1900000000000000001 + len(self.activity)), **body}
        self.activity.append(subscription)
        return 200, {}, json.dumps({"data": {"subscription": subscription}})

    def delete(self, request):
        wanted = request.url.rsplit("/", 1)[1]
        before = len(self.activity)
        self.activity = [s for s in self.activity if s["subscription_id"] != wanted]
        return 200, {}, json.dumps({"data": {"deleted": len(self.activity) < before}})

    def check_account(self, request):
        return 200, {}, json.dumps({"data": {"subscribed": BOT_ID in self.subscribed}})

    def subscribe_account(self, request):
        if BOT_ID in self.subscribed:
            return 400, {}, json.dumps(problem("DuplicateSubscriptionFailed", 400))
        self.subscribed.add(BOT_ID)
        return 200, {}, json.dumps({"data": {"subscribed": True}})


@pytest.fixture
def register(load, x, monkeypatch):
    module = load("04_bot", "register_webhook")
    stages = json.loads(module.CONFIG.read_text())
    stages["stages"]["dev"]["environment_variables"]["BOT_USER_ID"] = BOT_ID
    monkeypatch.setattr(module, "stage_settings", lambda stage: module_stage(stages, stage))
    with mock_aws():
        aws_client("ssm").put_parameter(Name="/whereml/dev/x-secrets", Value=json.dumps(SECRETS), Type="SecureString")
        yield module


def module_stage(stages, stage):
    if stage not in stages["stages"]:
        raise SystemExit(f"There is no stage {stage!r}: pick one of {', '.join(stages['stages'])}.")
    return stages["stages"][stage]["environment_variables"]


def changes(x):
    return [(call.request.method, call.request.url.split("?")[0]) for call in x.calls if call.request.method != "GET"]


@pytest.mark.parametrize("flags", [["--activity"], []], ids=["X Activity API", "Account Activity API"])
def test_registering_twice_changes_nothing_the_second_time(register, x, capsys, flags):
    xstate = XWebhooks(x)
    register.main([URL, *flags])
    first = xstate.state()
    assert xstate.webhooks and (xstate.activity if flags else xstate.subscribed), "register and subscribe"
    done = len(x.calls)
    register.main([URL, *flags])
    assert xstate.state() == first
    assert [call.request.method for call in x.calls[done:]] == ["GET", "GET"], (
        "a second run only looks: reuse the webhook X has for the URL and the subscription that exists")
    assert "Already registered" in capsys.readouterr().out


def test_the_activity_subscription_is_for_the_bots_mentions_signed_as_the_bot(register, x, capsys):
    xstate = XWebhooks(x)
    register.main([URL, "--activity"])
    (subscription,) = xstate.activity
    assert subscription["event_type"] == "post.mention.create" and subscription["filter"] == {"user_id": BOT_ID}
    assert subscription["webhook_id"] == xstate.webhooks[0]["id"]
    created = next(c.request for c in x.calls if c.request.url == f"{API}/2/activity/subscriptions")
    assert created.headers["Authorization"].startswith(b"OAuth "), "a private event: the bot's own user context"
    webhook = next(c.request for c in x.calls if c.request.method == "POST" and c.request.url == f"{API}/2/webhooks")
    assert webhook.headers["Authorization"] == "Bearer " + SECRETS["bearer_token"], "register with app-only auth"
    assert all(call.request.req_kwargs.get("timeout") for call in x.calls)
    assert SECRETS["bearer_token"] not in capsys.readouterr().out


def test_a_subscription_made_meanwhile_is_success(register, x, capsys):
    xstate = XWebhooks(x, [{"id": "8001", "url": URL, "valid": True}])
    xstate.activity.append({"subscription_id": "1900000000000000001", "event_type": "post.mention.create",
                            "filter": {"user_id": BOT_ID}, "webhook_id": "8001"})
    xstate.stale_lists = 1  # the list does not show it yet: X answers the subscription with 409
    register.main([URL, "--activity"])
    assert len(xstate.activity) == 1 and "Already subscribed" in capsys.readouterr().out


def test_list_and_delete_the_subscriptions(register, x, capsys):
    xstate = XWebhooks(x)
    register.main([URL, "--activity"])
    register.main(["--list"])
    subscription_id = xstate.activity[0]["subscription_id"]
    assert subscription_id in capsys.readouterr().out
    register.main(["--delete", subscription_id])
    assert xstate.activity == [] and "Deleted" in capsys.readouterr().out
    delete = x.calls[-1].request
    assert delete.headers["Authorization"] == "Bearer " + SECRETS["bearer_token"], "X deletes with app-only auth"


def test_another_stages_webhook_says_one_webhook_per_account(register, x):
    XWebhooks(x, [{"id": "8001", "url": URL.replace("abc123", "prod999"), "valid": True}])
    with pytest.raises(SystemExit, match="second X developer account"):
        register.main([URL, "--activity"])


@pytest.mark.parametrize(
    "argv, answers, message",
    [
        (["http://example.com/api/twitter/webhook"], [], "https URL"),
        ([URL.replace("/twitter/webhook", "/")], [], "twitter/webhook"),
        ([URL, "--stage", "qa"], [], "no stage 'qa'"),
        ([], [], None),
        (["--delete", "abc"], [], "numeric subscription id"),
        ([URL], [(responses.GET, f"{API}/2/webhooks", 403, problem("Forbidden", 403))], "X refused to list"),
        ([URL], [(responses.GET, f"{API}/2/webhooks", 200, {"data": []}),
                 (responses.POST, f"{API}/2/webhooks", 400, problem("CRC failed", 400))], "CRC failed"),
    ],
    ids=["not https", "not the webhook path", "unknown stage", "nothing to do", "odd subscription id", "X refuses",
         "CRC check fails"],
)
def test_bad_registrations_say_what_to_do(register, x, argv, answers, message):
    for method, url, status, body in answers:
        x.add(method, url, status=status, json=body)
    with pytest.raises(SystemExit) as exit:
        register.main(argv)
    assert message is None or message in str(exit.value)


def test_missing_secrets_point_to_setup_aws(register):
    aws_client("ssm").delete_parameter(Name="/whereml/dev/x-secrets")
    with pytest.raises(SystemExit, match="setup_aws.py"):
        register.main([URL])


def test_the_activity_path_needs_the_bots_user_id(load, x):
    with pytest.raises(SystemExit, match="BOT_USER_ID"):
        load("04_bot", "register_webhook").main([URL, "--activity"])

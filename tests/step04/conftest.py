"""Step 04's fixtures: moto for AWS, `responses` for X, a local SageMaker endpoint, the bot in chalice.test.Client."""
import logging
import threading

import pytest
from chalice.test import Client

import x_contract
from bot_stand_ins import ENV, Endpoint, moto_with_bot_resources
from workshop import x_stand_in
from workshop.paths import ROOT

LAMBDA_WHEELS = ROOT / "build" / "lambda-wheels"
# Packaging the bot is the only thing that needs the Lambda wheels: without them (offline, after `make
# clean-downloads`) its tests are skipped, and the run ends by saying so.
NO_WHEELS = ("Step 4's packaging tests (chalice package, deploy to moto) were skipped: build/lambda-wheels has no "
             "Lambda wheels, which they build the bot's zip from. Run `make wheels` once, with the package index "
             "reachable, to run them too. Your TODOs do not depend on them.")


@pytest.fixture(scope="session")
def lambda_wheels():
    """The folder of the bot's Lambda wheels (`make wheels`); without them, the test is skipped."""
    if not any(LAMBDA_WHEELS.glob("pillow-*.whl")):
        pytest.skip(NO_WHEELS)
    return LAMBDA_WHEELS


def pytest_terminal_summary(terminalreporter):
    """A skip's reason is shown only with -rs: say this one in any case."""
    if any(NO_WHEELS in str(report.longrepr) for report in terminalreporter.stats.get("skipped", [])):
        terminalreporter.write_line(NO_WHEELS, yellow=True)


@pytest.fixture(scope="session")
def endpoint_server():
    server = Endpoint()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def bot(load):
    """The Chalice app (app.py) of the tree under test."""
    return load("04_bot", "app").app


@pytest.fixture(scope="session")
def chalicelib(load):
    """chalicelib("reply") is chalicelib/reply.py of the tree under test."""
    return lambda name: load("04_bot", f"chalicelib.{name}")


@pytest.fixture
def env(monkeypatch, tmp_path, endpoint_server, chalicelib):
    """The bot's settings, its endpoint on 127.0.0.1, and an empty secrets cache (a new Lambda container)."""
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DRY_RUN_DIR", str(tmp_path))
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", endpoint_server.url)
    endpoint_server.reset()
    chalicelib("secrets").load.cache_clear()
    yield ENV
    chalicelib("secrets").load.cache_clear()


@pytest.fixture
def aws(env):
    """moto, in-process, with the bot's queue (and dead-letter queue), table and SSM parameter."""
    with moto_with_bot_resources() as resources:
        yield resources


@pytest.fixture
def x():
    """X's API and media host: tests add the answers they need; anything else is refused.

    Afterwards every request to X's API, and every answer a test made up for it, is checked against X's OpenAPI
    spec; a test that plays a broken X on purpose lists those answers in `x.off_spec` as (method, url).
    """
    with x_stand_in.x_api() as mock:  # requests moto does not serve come here too, whichever mock started first
        mock.off_spec = set()
        yield mock
        x_contract.check_calls(mock.calls, mock.off_spec)  # before the mock's exit forgets its calls


class StubsRaise(logging.Handler):
    """A TODO's stub reached through a route is raised in the test, as a stub called directly is: Chalice would turn
    it into a 500 and log it, and the test would blame the answer instead of naming the stub."""

    def emit(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, NotImplementedError) and str(error).startswith("TODO "):
            raise error


@pytest.fixture
def client(bot, tmp_path_factory):
    """The bot in Chalice's test client, with the test's environment rather than a stage's config.

    Chalice logs an exception to stdout besides the log pytest captures: only the captured one is kept (each
    traceback once), and a TODO's stub is raised (StubsRaise)."""
    printing = [handler for handler in bot.log.handlers if isinstance(handler, logging.StreamHandler)]
    stubs = StubsRaise()
    for handler in printing:
        bot.log.removeHandler(handler)
    bot.log.addHandler(stubs)
    try:
        yield Client(bot, project_dir=str(tmp_path_factory.mktemp("no-stage-config")))
    finally:
        bot.log.removeHandler(stubs)
        for handler in printing:
            bot.log.addHandler(handler)

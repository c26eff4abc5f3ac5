"""`make doctor`: is the host's AWS account and X app ready for the stream? One line per check, and nothing changed.

Each check is a function of the Host (what the host gave: region, bucket, role, stage) that returns Lines:
ok and what was found, or not ok and what to do. `python -m workshop.doctor --help` lists the options.
Every call has short timeouts and few retries, and the whole run one deadline (preflight.run); whatever a check
raises becomes one sentence here (explain), so that one cause is one line and no traceback reaches the host.
"""
import collections
import html
import json
import logging
import re
import time
from dataclasses import dataclass, field

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    NoCredentialsError,
    NoRegionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

# The SDK (loaded with the commands' defaults) logs where it looked for its config: nothing a host acts on.
logging.getLogger("sagemaker.config").setLevel(logging.WARNING)

Line = collections.namedtuple("Line", "ok text")
MMCOMMONS_REGION = "us-west-2"  # the public multimedia-commons bucket's region
SECONDS = 60  # the whole run's deadline
# Each AWS call: a connection within 3 s, each read within 5 s, one retry.
AWS_CONFIG = Config(connect_timeout=3, read_timeout=5, retries={"mode": "standard", "total_max_attempts": 2})
NO_CREDENTIALS = ("no AWS credentials: run `aws configure` (or export AWS_PROFILE=...), then "
                  "`aws sts get-caller-identity`")
NO_REGION = f"no AWS region: export AWS_DEFAULT_REGION={MMCOMMONS_REGION} (Multimedia Commons' region)"


def ok(text):
    return Line(True, text)


def fix(text):
    return Line(False, text)


class Problem(Exception):
    """A check found a cause it can name: its text is the FIX line."""


@dataclass
class Host:
    """What the checks look at: the AWS session (credentials, region) and the names the host's commands use."""

    session: boto3.session.Session
    bucket: str = None
    role_arn: str = None
    stage: str = "dev"
    processing: int = 1  # Processing instances `make data PROCESSING=N` asks for
    seconds: float = SECONDS
    clients: dict = field(default_factory=dict, repr=False)
    started: float = field(default_factory=time.monotonic, repr=False)

    def client(self, service):
        """One client per service, made when first asked for, with short timeouts."""
        if service not in self.clients:
            self.clients[service] = self.session.client(service, config=AWS_CONFIG)
        return self.clients[service]

    def account(self):
        return self.client("sts").get_caller_identity()["Account"]

    def remaining(self):
        return self.started + self.seconds - time.monotonic()


def explain(name, error):
    """The FIX line for an error a check raised: the same cause gives the same words, whichever check met it."""
    if isinstance(error, Problem):
        return str(error)
    if isinstance(error, NoCredentialsError):
        return NO_CREDENTIALS
    if isinstance(error, NoRegionError):
        return NO_REGION
    if isinstance(error, (ConnectionError, ReadTimeoutError)):
        return (f"AWS did not answer ({error.__class__.__name__}): check the network, a proxy, and "
                "AWS_ENDPOINT_URL if it is set")
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "an error")
        return f"{name}: AWS refused ({code}: {short(error.response.get('Error', {}).get('Message', ''))})"
    if isinstance(error, (ResponseParserError, KeyError, TypeError, AttributeError, json.JSONDecodeError)):
        return (f"{name}: an answer was not what AWS or X sends (empty, cut, or a proxy's page?): check the network "
                "and any proxy, then run `make doctor` again")
    if isinstance(error, BotoCoreError):
        return f"{name}: AWS could not be asked ({short(str(error))})"
    if isinstance(error, SystemExit):
        return f"{name}: {short(str(error))}"
    return f"{name}: {error.__class__.__name__} ({short(str(error))})"


def short(text, limit=160):
    """Text from outside for one line: tags and entities of a web page out, whitespace folded, at most `limit`."""
    text = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", str(text))).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."

"""`make doctor`: is the host's AWS account and X app ready for the stream? One line per check, and nothing changed.

Each check is a function of the Host (what the host gave: region, bucket, role, stage) that returns Lines:
ok and what was found, or not ok and what to do. `python -m workshop.doctor --help` lists the options.
"""
import collections
from dataclasses import dataclass, field

import boto3

Line = collections.namedtuple("Line", "ok text")
MMCOMMONS_REGION = "us-west-2"  # the public multimedia-commons bucket's region


def ok(text):
    return Line(True, text)


def fix(text):
    return Line(False, text)


@dataclass
class Host:
    """What the checks look at: the AWS session (credentials, region) and the names the host's commands use."""

    session: boto3.session.Session
    bucket: str = None
    role_arn: str = None
    stage: str = "dev"
    processing: int = 1  # Processing instances `make data PROCESSING=N` asks for
    clients: dict = field(default_factory=dict, repr=False)

    def client(self, service):
        """One client per service, made when first asked for."""
        if service not in self.clients:
            self.clients[service] = self.session.client(service)
        return self.clients[service]

    def account(self):
        return self.client("sts").get_caller_identity()["Account"]

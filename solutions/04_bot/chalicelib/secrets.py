"""The X credentials, read once per Lambda container from an SSM SecureString holding JSON."""
import functools
import json
import logging
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from chalicelib.aws_clients import client
from chalicelib.settings import NotConfigured

# botocore logs whole response bodies at DEBUG, and SSM's holds the credentials: that logger stays above DEBUG.
logging.getLogger("botocore.parsers").setLevel(logging.INFO)

KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret", "bearer_token")


@dataclass(frozen=True)
class XSecrets:
    # repr=False everywhere: printing or logging this object must never show a credential.
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)
    bearer_token: str = field(repr=False)


@functools.lru_cache(maxsize=4)
def load(parameter_name):
    """The credentials stored under `parameter_name` (cached: SSM is asked once per container)."""
    try:
        answer = client("ssm").get_parameter(Name=parameter_name, WithDecryption=True)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        raise NotConfigured(
            f"Cannot read the SSM parameter {parameter_name} ({code}): create it with setup_aws.py."
        ) from None
    try:
        values = json.loads(answer["Parameter"]["Value"])
        return XSecrets(**{key: str(values[key]) for key in KEYS})
    except (ValueError, TypeError, KeyError):
        # `from None` and no value in the message: the parameter's text may hold a secret.
        raise NotConfigured(
            f"The SSM parameter {parameter_name} must be JSON with {', '.join(KEYS)}: "
            "write it again with setup_aws.py."
        ) from None

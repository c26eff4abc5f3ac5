"""Ask the endpoint where a photo was taken, and print its best guesses.

    python predict.py photo.jpg [--endpoint whereml]
    python predict.py https://pbs.twimg.com/media/....jpg

It calls SageMaker's runtime API with boto3. To ask `make serve` on this machine instead of AWS:
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=http://127.0.0.1:8080 python predict.py photo.jpg
"""
import argparse
import json
import os
import shlex
import sys
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError

LOCAL_ENDPOINT = "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"
CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
# The real photo the repository ships (photos/README.md): what the commands below ask about.
SAMPLE_PHOTO = Path(__file__).resolve().parent.parent.parent / "photos" / "cape-canaveral-falcon9-dscovr.jpg"


def flag(country_code):
    """'FR' -> the French flag emoji (two regional indicator letters); anything else -> ''."""
    if len(country_code) == 2 and country_code.isascii() and country_code.isalpha():
        return "".join(chr(ord(letter) + 127397) for letter in country_code.upper())
    return ""


def describe(answer):
    """The endpoint's JSON answer -> one line per guess, best first."""
    lines = []
    for rank, guess in enumerate(answer["predictions"], 1):
        place = ", ".join(part for part in (guess["place"], guess["admin1"], guess["country_code"]) if part)
        where = "({:.3f}, {:.3f})".format(guess["lat"], guess["lng"])
        line = "{}. {} {}  {}  {:.1%}".format(rank, place or "somewhere", flag(guess["country_code"]), where,
                                             guess["probability"])
        lines.append(line)
    return "\n".join(lines)


def request_for(photo_or_url):
    """A path or an https URL -> (body, content type)."""
    if photo_or_url.startswith(("https://", "http://")):
        return json.dumps({"url": photo_or_url}).encode("utf-8"), "application/json"
    path = Path(photo_or_url)
    if not path.is_file():
        raise SystemExit(f"There is no photo at {path}: give a .jpg/.png file or an https:// link.")
    return path.read_bytes(), CONTENT_TYPES.get(path.suffix.lower(), "application/x-image")


def runtime_client():
    """boto3's sagemaker-runtime client; unsigned when it talks to `make serve` on this machine."""
    local = urlsplit(os.environ.get(LOCAL_ENDPOINT, "")).hostname in ("127.0.0.1", "localhost", "::1")
    if local:
        region = boto3.Session().region_name or "us-west-2"
        return boto3.client("sagemaker-runtime", region_name=region, config=Config(signature_version=UNSIGNED))
    return boto3.client("sagemaker-runtime")


def predict(photo_or_url, endpoint="whereml", client=None):
    """The endpoint's answer for one photo, as a dict."""
    body, content_type = request_for(photo_or_url)
    client = client or runtime_client()
    response = client.invoke_endpoint(
        EndpointName=endpoint, Body=body, ContentType=content_type, Accept="application/json"
    )
    return json.loads(response["Body"].read())


def how_to_ask(local_url=None, endpoint=None):
    """The command that asks an endpoint about a photo with this file, as typed from the current folder: `make
    serve` at `local_url`, or the SageMaker endpoint named `endpoint`."""
    photo = SAMPLE_PHOTO if SAMPLE_PHOTO.is_file() else Path("photo.jpg")
    words = [_as_typed(sys.executable), _as_typed(__file__), _as_typed(photo)]
    words += ["--endpoint", endpoint] if endpoint else []
    command = " ".join(shlex.quote(word) for word in words)
    return f"{LOCAL_ENDPOINT}={local_url} {command}" if local_url else command


def _as_typed(path):
    """A path relative to the current folder when it lies below it, else absolute."""
    relative = os.path.relpath(os.path.abspath(str(path)))
    return os.path.abspath(str(path)) if relative.startswith("..") else relative


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photo_or_url", help="a .jpg/.png file, or an https://pbs.twimg.com/... link")
    parser.add_argument("--endpoint", default="whereml", help="the endpoint's name (default: whereml)")
    args = parser.parse_args(argv)
    try:
        answer = predict(args.photo_or_url, args.endpoint)
    except ClientError as error:
        original = error.response.get("OriginalMessage")
        if original:
            sys.exit("The endpoint refused the photo: " + json.loads(original.splitlines()[0])["error"])
        sys.exit(f"SageMaker refused: {error}. Is the endpoint {args.endpoint} deployed (`make deploy`)?")
    except EndpointConnectionError:
        where = os.environ.get(LOCAL_ENDPOINT, "that address")
        sys.exit(f"Nothing answers at {where}: start `make serve` first.")
    except NoCredentialsError:
        sys.exit(f"No AWS credentials: configure them, or set {LOCAL_ENDPOINT} to ask `make serve`.")
    except BotoCoreError as error:
        sys.exit(f"Could not call the endpoint: {error}")
    print("Where was {} taken? ({})".format(args.photo_or_url, answer["model"]))
    print(describe(answer))


if __name__ == "__main__":
    main()

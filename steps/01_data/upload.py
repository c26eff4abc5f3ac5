"""Put the dataset folder on S3 (where SageMaker training reads it): every file under one prefix."""
from pathlib import Path

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from errors import BadInput

BIG_FILE = 64 * 1024 * 1024  # files at least this big go up in parts, several at once


def parse_uri(uri):
    """Split "s3://bucket/some/prefix" into ("bucket", "some/prefix")."""
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    if not uri.startswith("s3://") or not bucket:
        raise BadInput(f"--upload {uri} is not an S3 address: write it as s3://bucket/prefix.")
    return bucket, prefix.strip("/")


def check_bucket(s3, bucket):
    """Fail early, with one sentence, when the bucket is missing or the credentials are."""
    try:
        s3.head_bucket(Bucket=bucket)
    except NoCredentialsError:
        raise BadInput("no AWS credentials found: run `aws configure` (or set AWS_PROFILE) and try again.")
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code in ("404", "NoSuchBucket"):
            raise BadInput(f"the S3 bucket {bucket} does not exist: create it (aws s3 mb s3://{bucket}) or pick one.")
        raise BadInput(f"S3 refused access to the bucket {bucket} ({code}): check its name and your credentials.")
    except BotoCoreError as error:
        raise BadInput(f"could not reach S3 ({error}): check your network and AWS settings.")


def upload(folder, uri, s3=None, big_file=BIG_FILE):
    """Upload every file of `folder` under `uri`; returns the S3 URI of each uploaded file."""
    bucket, prefix = parse_uri(uri)
    s3 = s3 or boto3.client("s3")
    check_bucket(s3, bucket)
    config = TransferConfig(multipart_threshold=big_file, multipart_chunksize=big_file)
    uris = []
    for path in sorted(Path(folder).iterdir()):
        key = f"{prefix}/{path.name}" if prefix else path.name
        try:
            s3.upload_file(str(path), bucket, key, Config=config)
        except (BotoCoreError, ClientError, S3UploadFailedError) as error:
            raise BadInput(f"uploading {path.name} to s3://{bucket}/{key} failed ({error}); run again to retry.")
        uris.append(f"s3://{bucket}/{key}")
    return uris

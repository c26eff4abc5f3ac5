"""--upload: the dataset folder to S3 (moto), big files in parts, one clear sentence when it cannot work."""
import boto3
import pytest
from moto import mock_aws


@pytest.fixture(scope="module")
def upload(load):
    return load("01_data", "upload")


@pytest.fixture(scope="module")
def errors(load):
    return load("01_data", "errors")


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="us-west-2")
        client.create_bucket(Bucket="whereml-data", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        yield client


def test_every_file_goes_under_the_prefix(upload, s3, sample_dataset):
    uris = upload.upload(sample_dataset, "s3://whereml-data/datasets/toy/", s3=s3)
    names = sorted(path.name for path in sample_dataset.iterdir())
    assert uris == [f"s3://whereml-data/datasets/toy/{name}" for name in names]
    for name in names:
        body = s3.get_object(Bucket="whereml-data", Key=f"datasets/toy/{name}")["Body"].read()
        assert body == (sample_dataset / name).read_bytes(), f"{name} arrived changed"


def test_big_files_go_up_in_parts(upload, s3, tmp_path):
    (tmp_path / "train.rec").write_bytes(bytes(range(256)) * 24 * 1024)  # 6 MiB
    upload.upload(tmp_path, "s3://whereml-data/big", s3=s3, big_file=5 * 1024 * 1024)
    etag = s3.head_object(Bucket="whereml-data", Key="big/train.rec")["ETag"]
    assert etag.strip('"').endswith("-2"), "a file above the threshold is sent as a multipart upload (two parts)"


def test_a_missing_bucket_is_one_clear_sentence(upload, errors, s3, tmp_path):
    with pytest.raises(errors.BadInput, match="the S3 bucket no-such-bucket does not exist: create it"):
        upload.upload(tmp_path, "s3://no-such-bucket/data", s3=s3)


def test_missing_credentials_are_one_clear_sentence(upload, errors, monkeypatch, tmp_path):
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # a session another test made may hold credentials
    with pytest.raises(errors.BadInput, match="no AWS credentials found"):
        upload.upload(tmp_path, "s3://whereml-data/data")


@pytest.mark.parametrize("uri", ["whereml-data/data", "s3://", "https://whereml-data.s3.amazonaws.com/data"])
def test_an_address_that_is_not_s3_is_refused(upload, errors, uri):
    with pytest.raises(errors.BadInput, match="is not an S3 address"):
        upload.parse_uri(uri)

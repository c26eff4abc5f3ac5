"""launch.py: the local run packs model.tar.gz as SageMaker does; the cloud run sends the right requests (to moto)."""
import json
import re
import socket
import tarfile

import boto3
import pytest
from moto import mock_aws

import aws_events

ROLE = "arn:aws:iam::123456789012:role/WhereMLTraining"
BUCKET = "whereml-test-bucket"
DATA = f"s3://{BUCKET}/whereml/data"


@pytest.fixture(scope="module")
def launch(load):
    return load("02_train", "launch")


def test_local_run_packs_model_tar_gz_like_sagemaker(trained):
    model_dir, _ = trained
    with tarfile.open(model_dir / "model.tar.gz") as archive:
        names = sorted(archive.getnames())
    assert names == ["cells.tsv", "metrics.json", "model-0000.params", "model-config.json", "model-symbol.json"], (
        "model.tar.gz should hold the model folder's files at its top level, as SageMaker packs SM_MODEL_DIR"
    )
    assert (model_dir / "output" / "curves.png").is_file(), "what train.py writes to SM_OUTPUT_DATA_DIR goes to output/"


def test_metric_definitions_read_the_real_log_lines(launch, trained, trained_metrics):
    _, log = trained
    final = trained_metrics["final"]
    for definition in launch.METRIC_DEFINITIONS:
        found = re.findall(definition["Regex"], log)
        assert found, f"{definition['Name']}: {definition['Regex']!r} matches no line train.py printed"
        key = definition["Name"].replace(":", "_")
        assert float(found[-1]) == pytest.approx(final[key], abs=1e-4), f"{definition['Name']} reads the wrong number"
    assert launch.OBJECTIVE in [definition["Name"] for definition in launch.METRIC_DEFINITIONS]


def test_local_run_keeps_files_that_are_not_a_models(launch, data, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit, match="holds files that are not a model's"):
        launch.main(["--local", "--data", str(data), "--model-dir", str(tmp_path)])
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.fixture
def aws(monkeypatch):
    """moto in this process, a bucket for the data, and a list of every AWS request the code makes."""
    sent, connections = aws_events.record_requests(monkeypatch), []
    connect = socket.socket.connect

    def watch(sock, address):
        connections.append(address)
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", watch)
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        yield sent
    assert connections == [], f"launch.py opened connections (telemetry?): {connections}"


def requests(sent, operation):
    return [params for name, params in sent if name == operation]


@pytest.mark.todo("02.5")
def test_cloud_run_on_two_spot_hosts(launch, aws, step_folder, monkeypatch, tmp_path, capsys):
    # The host runs launch.py without the tests' SageMaker config: launch.py itself turns the SDK's telemetry off.
    (tmp_path / "sagemaker-config.yaml").write_text("SchemaVersion: '1.0'\n")
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(tmp_path / "sagemaker-config.yaml"))
    launch.main(
        ["--data", DATA, "--role", ROLE, "--instance-count", "2", "--spot", "--max-wait", "7200", "--no-wait"]
        + ["--max-run", "5400", "--epochs", "8", "--network", "resnet101_v1", "--pretrained", "1"]
        + ["--instance-type", "ml.c5.2xlarge"]
    )
    (job,) = requests(aws, "CreateTrainingJob")
    image = job["AlgorithmSpecification"]["TrainingImage"]
    assert re.fullmatch(r".*/mxnet-training:1\.9\.0-cpu-py38", image), (
        f"the job runs in {image}: train.py is written for SageMaker's MXNet 1.9.0 container on Python 3.8 "
        "(framework_version='1.9.0', py_version='py38')"
    )
    assert job["StoppingCondition"]["MaxRuntimeInSeconds"] == 5400, (
        f"--max-run 5400 became a limit of {job['StoppingCondition']['MaxRuntimeInSeconds']} s: spread the "
        "finished **job_settings(args, session, bucket, job_name) into the estimator, or a stuck job bills for a day"
    )
    looked_up = [name for name, params in aws if name == "GetCallerIdentity" or params.get("Bucket", BUCKET) != BUCKET]
    assert not looked_up, (
        f"launch.py asked AWS for {looked_up}: the SDK made a session of its own, which reports usage to AWS and "
        "looks up the account. Spread the finished **job_settings(args, session, bucket, job_name) into the "
        "estimator: it gives the session launch.py made"
    )
    hyperparameters = {key: json.loads(value) for key, value in job["HyperParameters"].items()}
    assert {"epochs": 8, "network": "resnet101_v1", "pretrained": 1}.items() <= hyperparameters.items()
    assert hyperparameters["sagemaker_parameter_server_enabled"] is True, "2 hosts need the parameter server"
    assert hyperparameters["sagemaker_program"] == "train.py"
    assert job["ResourceConfig"]["InstanceCount"] == 2, "--instance-count 2: pass instance_count=args.instance_count"
    assert job["ResourceConfig"]["InstanceType"] == "ml.c5.2xlarge", (
        f"--instance-type ml.c5.2xlarge became {job['ResourceConfig']['InstanceType']}: pass "
        "instance_type=args.instance_type")
    assert job["EnableManagedSpotTraining"] is True and job["StoppingCondition"]["MaxWaitTimeInSeconds"] == 7200
    assert job["CheckpointConfig"]["S3Uri"].startswith(f"s3://{BUCKET}/")
    assert {"Key": "project", "Value": "whereml-workshop"} in job["Tags"]
    assert job["RoleArn"] == ROLE and job["InputDataConfig"][0]["ChannelName"] == "train"
    assert job["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == DATA
    source = job["InputDataConfig"][0]["DataSource"]["S3DataSource"]
    assert source["S3DataDistributionType"] == "FullyReplicated", "every host sees cells.tsv and picks its shards"
    assert job["InputDataConfig"][0]["InputMode"] == "FastFile", "on several hosts each fetches only what it reads"
    assert {d["Name"] for d in job["AlgorithmSpecification"]["MetricDefinitions"]} >= {"val:geo_2500km", "val:top1"}
    code = hyperparameters["sagemaker_submit_directory"]
    assert code.startswith(f"s3://{BUCKET}/whereml/"), (
        f"the code went to {code}, outside s3://{BUCKET}/whereml/ where the role may write and the model lands: "
        "spread the finished **job_settings(args, session, bucket, job_name) into the estimator (its code_location)"
    )
    key = code[len(f"s3://{BUCKET}/"):]
    with tarfile.open(fileobj=boto3.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"]) as archive:
        missing = {path.name for path in step_folder.glob("*.py")} - set(archive.getnames())
    assert not missing, (
        f"the code SageMaker gets lacks {sorted(missing)}: train.py imports its neighbours, so send the whole step "
        "folder (entry_point='train.py', source_dir=this folder)"
    )
    uri = f"s3://{BUCKET}/whereml/training/{job['TrainingJobName']}/output/model.tar.gz"
    assert uri in capsys.readouterr().out, "launch.py should print where the model artifact lands, for step 03"


@pytest.mark.todo("02.5")
def test_tune_searches_learning_rate_and_batch_size_on_one_host(launch, aws):
    # A GPU instance: its jobs run in the GPU image.
    launch.main(["--data", DATA, "--role", ROLE, "--tune", "4", "--no-wait", "--epochs", "3",
                 "--instance-type", "ml.p3.2xlarge"])
    (tuning,) = requests(aws, "CreateHyperParameterTuningJob")
    config = tuning["HyperParameterTuningJobConfig"]
    assert config["HyperParameterTuningJobObjective"] == {"Type": "Maximize", "MetricName": "val:geo_750km"}
    assert config["ResourceLimits"]["MaxNumberOfTrainingJobs"] == 4
    ranges = config["ParameterRanges"]
    assert [r["Name"] for r in ranges["ContinuousParameterRanges"]] == ["learning-rate"]
    assert [r["Name"] for r in ranges["CategoricalParameterRanges"]] == ["batch-size"]
    definition = tuning["TrainingJobDefinition"]
    image = definition["AlgorithmSpecification"]["TrainingImage"]
    assert image.endswith("/mxnet-training:1.9.0-gpu-py38"), (
        f"a job on ml.p3.2xlarge (a GPU) runs in {image}, not the GPU image: give the estimator the framework and "
        "Python versions (framework_version='1.9.0', py_version='py38') and the instance type, and the SDK picks "
        "the image that suits the instance"
    )
    assert json.loads(definition["StaticHyperParameters"]["epochs"]) == 3
    static = definition["StaticHyperParameters"]
    # No distribution, or the parameter server written out as disabled: the same job on one host.
    assert json.loads(static.get("sagemaker_parameter_server_enabled", "false")) is False, (
        "one host needs no parameter server: enable it only when instance_count > 1"
    )
    assert not definition.get("EnableManagedSpotTraining") and "CheckpointConfig" not in definition
    assert {"Key": "project", "Value": "whereml-workshop"} in tuning["Tags"]


@pytest.mark.parametrize(
    "change, args, message",
    [
        ("no credentials", [], "No AWS credentials: run `aws configure`"),
        ("no region", [], "No AWS region: set AWS_DEFAULT_REGION"),
        (None, ["--data", DATA], "No SageMaker execution role: pass --role"),
        (None, ["--data", DATA, "--role", "WhereMLTraining"], "is not a role ARN"),
        (None, ["--data", "build/data", "--role", ROLE], "A SageMaker job reads its data from S3"),
        (None, ["--local", "--data", DATA], "--local trains on a folder on this machine"),
        (None, ["--data", DATA, "--role", ROLE, "--epochs"], "Hyperparameters go as --key value pairs"),
        (None, ["--data", DATA, "--role", ROLE, "--spot", "--max-wait", "600"], "--max-wait 600 is less than"),
    ],
)
def test_missing_setup_is_one_sentence(launch, monkeypatch, change, args, message):
    monkeypatch.delenv("SAGEMAKER_ROLE", raising=False)
    if change == "no credentials":
        for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(variable)
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    if change == "no region":
        monkeypatch.delenv("AWS_DEFAULT_REGION")
        monkeypatch.delenv("AWS_REGION")
    with pytest.raises(SystemExit) as stopped:
        launch.main(args or ["--data", DATA, "--role", ROLE])
    assert message in str(stopped.value.code)

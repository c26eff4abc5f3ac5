"""deploy.py and cleanup.py against moto: the real SageMaker SDK and boto3 build real requests; nothing leaves here."""
import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from sagemaker_refusal import RefusesExisting

BUCKET = "whereml-workshop-test"
ROLE = "arn:aws:iam::123456789012:role/whereml-sagemaker"
TAG = {"Key": "project", "Value": "whereml-workshop"}


@pytest.fixture(scope="module")
def aws():
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w:gz") as tar:
            config = b'{"resize": 64, "image_size": 56, "network": "t", "classes": 2}'
            info = tarfile.TarInfo("model-config.json")
            info.size = len(config)
            tar.addfile(info, io.BytesIO(config))
        s3.put_object(Bucket=BUCKET, Key="training/output/model.tar.gz", Body=archive.getvalue())
        yield boto3.client("sagemaker")


@pytest.fixture(scope="module")
def deployed(host, aws):
    """One endpoint deployed with autoscaling 1:3 (without waiting: moto's endpoints are InService at once)."""
    host("deploy").deploy(
        f"s3://{BUCKET}/training/output/model.tar.gz", ROLE, "ml.c5.large", "whereml", autoscale=(1, 3), wait=False
    )
    return aws


def test_the_model_runs_inference_py_in_the_mxnet_1_9_container(deployed):
    [model] = deployed.list_models()["Models"]
    container = deployed.describe_model(ModelName=model["ModelName"])["PrimaryContainer"]
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert container["Image"].endswith("/mxnet-inference:1.9.0-cpu-py38"), "framework 1.9.0, py38, a CPU instance"
    assert TAG in deployed.list_tags(ResourceArn=model["ModelArn"])["Tags"], "the model is tagged for cleanup"


def test_the_model_serves_one_request_with_every_vcpu(deployed):
    [model] = deployed.list_models()["Models"]
    environment = deployed.describe_model(ModelName=model["ModelName"])["PrimaryContainer"]["Environment"]
    assert environment.get("SAGEMAKER_MODEL_SERVER_WORKERS") == "1" and environment.get("MXNET_ENGINE_TYPE") == (
        "NaiveEngine"), (
        "the container's default is one single-threaded worker per vCPU; the bot's one request at a time is answered "
        "sooner by one worker that model_fn gives every vCPU (code/threads.py), which needs MXNet's NaiveEngine")
    assert "OMP_NUM_THREADS" not in environment and "WHEREML_THREADS" not in environment, (
        "the vCPUs are counted in the container, at start, not fixed at deploy")


def deployed_by_main(host, aws, *options):
    """`deploy.py deploy` with `options` -> (its endpoint's production variant, its container's environment); the
    endpoint is deleted again."""
    host("deploy").main(["deploy", "--model-data", f"s3://{BUCKET}/training/output/model.tar.gz", "--role", ROLE,
                         "--endpoint-name", "whereml-main", *options])
    config = aws.describe_endpoint(EndpointName="whereml-main")["EndpointConfigName"]
    [variant] = aws.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"]
    environment = aws.describe_model(ModelName=variant["ModelName"])["PrimaryContainer"]["Environment"]
    host("deploy").main(["delete", "--endpoint-name", "whereml-main"])
    return variant, environment


def test_deploy_threads_sets_the_number_in_the_container(host, aws):
    _, environment = deployed_by_main(host, aws, "--serverless", "--threads", "3")
    assert environment.get("WHEREML_THREADS") == "3"


def test_deploy_asks_for_the_defaults_make_doctor_checks(host, aws):
    """`make doctor` compares endpoint_defaults.py with the account's quotas, without importing deploy.py: deploy.py
    must ask SageMaker for exactly those."""
    defaults = host("endpoint_defaults")
    serverless, _ = deployed_by_main(host, aws, "--serverless")
    assert serverless["ServerlessConfig"] == {"MemorySizeInMB": defaults.SERVERLESS_MEMORY_MB,
                                              "MaxConcurrency": defaults.SERVERLESS_MAX_CONCURRENCY}
    on_instances, _ = deployed_by_main(host, aws)
    assert on_instances["InstanceType"] == defaults.INSTANCE_TYPE, "an endpoint on instances"


def test_a_model_folder_is_uploaded_with_its_int8_copy(host, aws, model_dir, data_dir, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(model_dir, folder)
    uri = host("deploy").package(str(folder), data_dir, f"s3://{BUCKET}/whereml/", say=lambda message: None)
    assert uri == f"s3://{BUCKET}/whereml/model.tar.gz"
    body = boto3.client("s3").get_object(Bucket=BUCKET, Key="whereml/model.tar.gz")["Body"].read()
    names = tarfile.open(fileobj=io.BytesIO(body)).getnames()
    assert {"model-symbol.json", "model-int8-symbol.json", "model-int8-0000.params"} <= set(names), (
        "deploy.py --model-dir adds the int8 copy (quantize.make_int8_copy) when it agrees with fp32, then packs it"
    )


def test_the_endpoint_and_its_config_are_tagged(deployed):
    endpoint = deployed.describe_endpoint(EndpointName="whereml")
    assert TAG in deployed.list_tags(ResourceArn=endpoint["EndpointArn"])["Tags"]
    config = deployed.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    assert config["ProductionVariants"][0]["InstanceType"] == "ml.c5.large"
    assert TAG in deployed.list_tags(ResourceArn=config["EndpointConfigArn"])["Tags"]


def test_autoscaling_tracks_invocations_per_instance(deployed):
    scaling = boto3.client("application-autoscaling")
    [target] = scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert target["ResourceId"] == "endpoint/whereml/variant/AllTraffic"
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 3)
    [policy] = scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    metric = policy["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
    assert metric["PredefinedMetricType"] == "SageMakerVariantInvocationsPerInstance"


def test_delete_removes_the_endpoint_its_config_and_its_model(host, deployed):
    host("deploy").main(["delete", "--endpoint-name", "whereml"])
    assert deployed.list_endpoints()["Endpoints"] == []
    assert deployed.list_endpoint_configs()["EndpointConfigs"] == []
    assert deployed.list_models()["Models"] == []
    scaling = boto3.client("application-autoscaling")
    assert scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []


def test_a_serverless_endpoint_has_the_memory_and_concurrency_asked(host, aws):
    host("deploy").deploy(f"s3://{BUCKET}/training/output/model.tar.gz", ROLE, endpoint_name="whereml-serverless",
                          wait=False, serverless=(4096, 3))
    endpoint = aws.describe_endpoint(EndpointName="whereml-serverless")
    [variant] = aws.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])["ProductionVariants"]
    assert variant.get("ServerlessConfig") == {"MemorySizeInMB": 4096, "MaxConcurrency": 3}
    assert "InstanceType" not in variant and "InitialInstanceCount" not in variant, "serverless has no instances"
    container = aws.describe_model(ModelName=variant["ModelName"])["PrimaryContainer"]
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py", "the same inference.py"
    url = container["ModelDataUrl"]  # the SDK repacks model.tar.gz with this folder's code, as for instances
    assert url.startswith(f"s3://{BUCKET}/whereml/code/") and url.endswith("/model.tar.gz"), url
    assert container["Image"].endswith("/mxnet-inference:1.9.0-cpu-py38"), "serverless runs on CPU"
    assert container["Environment"].get("SAGEMAKER_MODEL_SERVER_WORKERS") == "1", "one copy of the model in memory"
    assert TAG in aws.list_tags(ResourceArn=endpoint["EndpointArn"])["Tags"], "tagged, so cleanup finds it"


def test_cleanup_deletes_a_serverless_endpoint_and_its_config(host, aws, capsys):
    host("deploy").main(["cleanup"])
    assert "Deleted endpoint whereml-serverless" in capsys.readouterr().out
    assert aws.list_endpoints()["Endpoints"] == [] and aws.list_endpoint_configs()["EndpointConfigs"] == []


def test_cleanup_deletes_every_tagged_resource_and_only_those(host, aws, capsys):
    aws.create_model(ModelName="orphan", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "x"}, Tags=[TAG])
    aws.create_endpoint_config(
        EndpointConfigName="orphan-config", Tags=[TAG],
        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": "orphan", "InitialInstanceCount": 1,
                             "InstanceType": "ml.c5.large"}],
    )
    aws.create_endpoint(EndpointName="orphan", EndpointConfigName="orphan-config", Tags=[TAG])
    aws.create_model(ModelName="someone-elses", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "x"})
    host("deploy").main(["cleanup"])
    assert [model["ModelName"] for model in aws.list_models()["Models"]] == ["someone-elses"]
    assert aws.list_endpoints()["Endpoints"] == [] and aws.list_endpoint_configs()["EndpointConfigs"] == []
    assert "Nothing the workshop made is left" in capsys.readouterr().out


def test_a_second_cleanup_does_nothing(host, aws, capsys):
    host("deploy").main(["cleanup"])
    out = capsys.readouterr().out
    assert "Deleted" not in out and "Nothing the workshop made is left" in out


def test_cleanup_exits_non_zero_when_something_is_left(host, aws, monkeypatch):
    cleanup = host("cleanup")
    monkeypatch.setattr(cleanup, "delete", lambda kind, name, client, scaling=None: None)  # AWS refused to delete
    aws.create_model(ModelName="stuck", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "x"}, Tags=[TAG])
    with pytest.raises(SystemExit, match="model stuck"):
        host("deploy").main(["cleanup"])
    aws.delete_model(ModelName="stuck")


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["deploy", "--model-data", "build/model/model.tar.gz", "--role", ROLE], "s3://"),
        (["deploy", "--model-data", f"s3://{BUCKET}/m.tar.gz", "--role", "whereml-role"], "role ARN"),
        (["deploy", "--model-data", f"s3://{BUCKET}/m.tar.gz", "--role", ROLE, "--autoscale", "3"], "MIN:MAX"),
        (["deploy", "--model-data", f"s3://{BUCKET}/m.tar.gz", "--role", ROLE, "--autoscale", "3:1"], "MIN <= MAX"),
        (["deploy", "--model-dir", "build/model", "--role", ROLE], "--upload s3://"),
        (["deploy", "--model-dir", "no/such/folder", "--upload", f"s3://{BUCKET}/m", "--role", ROLE], "is no folder"),
        (["deploy", "--model-data", f"s3://{BUCKET}/m.tar.gz", "--role", ROLE, "--serverless", "--memory", "3000"],
         "1024, 2048, 3072"),
        (["deploy", "--model-data", f"s3://{BUCKET}/m.tar.gz", "--role", ROLE, "--serverless", "--memory", "8192"],
         "1024, 2048, 3072"),
        (["deploy", "--model-data", f"s3://{BUCKET}/m.tar.gz", "--role", ROLE, "--serverless",
          "--max-concurrency", "0"], "1..200"),
        (["deploy", "--model-data", f"s3://{BUCKET}/m.tar.gz", "--role", ROLE, "--serverless", "--autoscale", "1:3"],
         "--serverless has no instances"),
        (["deploy", "--model-data", f"s3://{BUCKET}/m.tar.gz", "--role", ROLE, "--serverless",
          "--instance-type", "ml.c5.xlarge"], "--serverless has no instances"),
        (["deploy", "--model-data", f"s3://{BUCKET}/m.tar.gz", "--role", ROLE, "--threads", "0"], "--threads is 1..192"),
        (["deploy", "--model-data", f"s3://{BUCKET}/m.tar.gz", "--role", ROLE, "--threads", "all"],
         "--threads is 1..192"),
        (["deploy", "--model-data", f"s3://{BUCKET}/m.tar.gz", "--role", ROLE, "--threads", "\u00b2"],
         "--threads is 1..192"),
    ],
    ids=["a local model path", "a role name, not an ARN", "--autoscale without a colon", "--autoscale max below min",
         "--model-dir without --upload", "--model-dir that is no folder",
         "--memory not in 1 GB steps", "--memory above 6 GB", "--max-concurrency 0", "--serverless with --autoscale",
         "--serverless with --instance-type", "--threads 0", "--threads not a number",
         "--threads a superscript two"],
)
def test_deploy_mistakes_are_one_sentence(host, capsys, arguments, message):
    with pytest.raises(SystemExit) as caught:
        host("deploy").main(arguments)
    assert caught.value.code == 2 and message in capsys.readouterr().err


@pytest.fixture(scope="module")
def locationnet_folder(host, locationnet_dir, tmp_path_factory):
    """LocationNet's files as `make locationnet` leaves them: with cells.tsv and an int8 copy of the network."""
    import mxnet as mx

    folder = tmp_path_factory.mktemp("deploy") / "locationnet"
    shutil.copytree(locationnet_dir, folder)
    cells, locationnet, quantize, int8 = (host(name) for name in ("cells", "locationnet", "quantize", "int8"))
    cells.write_cells(str(folder / "cells.tsv"), cells.read_grids(str(folder / "grids.txt")))
    batches = [mx.nd.random.uniform(-120, 130, shape=(1, 3, 224, 224)) for _ in range(2)]
    network = quantize.quantize(locationnet.load_network(str(folder)), batches)
    network.hybridize(static_alloc=True, static_shape=True)
    network(batches[0])  # export saves the graph of a forward pass
    int8.write(network, locationnet.load(str(folder)), str(folder))
    assert host("inference").model_fn(str(folder)).model_name.endswith("(int8)")
    return folder


def test_locationnet_deploys_without_training(host, aws, locationnet_folder, tree):
    """make deploy MODEL=build/locationnet: the folder packed as it is (no step-01 data to quantize with) with code/
    (inference.py and its requirements) beside it, and the endpoint serves that archive."""
    deploy = host("deploy")
    uri = deploy.package(str(locationnet_folder), None, f"s3://{BUCKET}/locationnet", say=lambda message: None)
    body = boto3.client("s3").get_object(Bucket=BUCKET, Key="locationnet/model.tar.gz")["Body"].read()
    assert {name for name in tarfile.open(fileobj=io.BytesIO(body)).getnames() if not name.startswith("code/")} == {
        "RN101-5k500-symbol.json", "RN101-5k500-0012.params", "grids.txt", "cells.tsv",
        "model-int8-symbol.json", "model-int8-0000.params", "model-int8-config.json"}, (
        "the model, its places and its int8 copy, as they are")
    deploy.deploy(uri, ROLE, "ml.c5.large", "whereml-locationnet", wait=False, with_code=True)
    endpoint = aws.describe_endpoint(EndpointName="whereml-locationnet")
    config = aws.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    model = aws.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])["PrimaryContainer"]
    bucket, _, key = model["ModelDataUrl"][len("s3://"):].partition("/")
    served = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    names = set(tarfile.open(fileobj=io.BytesIO(served)).getnames())
    assert {"code/inference.py", "code/locationnet.py", "code/requirements.txt", "cells.tsv",
            "model-int8-0000.params"} <= names, "model.tar.gz as the container gets it: code/ beside the files"
    shipped = {name[len("code/"):] for name in names if name.startswith("code/") and name.endswith(".py")}
    assert shipped == {path.name for path in (tree / "03_host" / "code").glob("*.py")}, (
        "code/ in model.tar.gz is exactly 03_host/code: what the container imports, not serve.py, deploy.py or "
        f"quantize.py (it holds {sorted(shipped)})"
    )
    host("deploy").main(["delete", "--endpoint-name", "whereml-locationnet"])


def test_a_locationnet_folder_needs_no_data_to_deploy(host, locationnet_folder, monkeypatch):
    calls = []
    deploy = host("deploy")
    monkeypatch.setattr(deploy, "package", lambda *args, **kwargs: calls.append(args) or f"s3://{BUCKET}/m.tar.gz")
    monkeypatch.setattr(deploy, "deploy", lambda *args, **kwargs: calls.append(args))
    deploy.main(["deploy", "--model-dir", str(locationnet_folder), "--upload", f"s3://{BUCKET}/m", "--role", ROLE])
    assert calls[0][:2] == (str(locationnet_folder), None), "its int8 copy comes from `make locationnet`, not --data"


def keys(prefix=""):
    listed = boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return [item["Key"] for item in listed.get("Contents", [])]


@pytest.fixture
def s3_calls():
    """The S3 operations called from now on, in order (clients made from now on report them)."""
    calls = []
    boto3.client("s3")  # the default session exists
    handler = lambda model, **_: calls.append(model.name)  # noqa: E731
    boto3.DEFAULT_SESSION.events.register("before-call.s3", handler)
    yield calls
    boto3.DEFAULT_SESSION.events.unregister("before-call.s3", handler)


def test_a_model_folder_is_uploaded_once_with_its_code_and_served_without_a_repack(host, aws, model_dir, tmp_path,
                                                                                     s3_calls, capsys):
    folder = tmp_path / "model"
    shutil.copytree(model_dir, folder)
    host("deploy").main(["deploy", "--model-dir", str(folder), "--upload", f"s3://{BUCKET}/whereml/model", "--role",
                         ROLE, "--endpoint-name", "whereml-once"])
    assert [call for call in s3_calls if call != "HeadObject"] in (["PutObject"], [
        "CreateMultipartUpload", *["UploadPart"] * (len(s3_calls) - 3), "CompleteMultipartUpload"]), (
        f"the archive goes up once and is never fetched back for a repack: {s3_calls}")
    endpoint = aws.describe_endpoint(EndpointName="whereml-once")
    [variant] = aws.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])["ProductionVariants"]
    container = aws.describe_model(ModelName=variant["ModelName"])["PrimaryContainer"]
    assert container["ModelDataUrl"] == f"s3://{BUCKET}/whereml/model/model.tar.gz", "the archive uploaded, as it is"
    assert (container["Environment"]["SAGEMAKER_PROGRAM"], container["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"]) \
        == ("inference.py", "/opt/ml/model/code"), "the container runs code/ from inside model.tar.gz"
    body = boto3.client("s3").get_object(Bucket=BUCKET, Key="whereml/model/model.tar.gz")["Body"].read()
    assert {"code/inference.py", "code/requirements.txt", "model-symbol.json"} <= set(
        tarfile.open(fileobj=io.BytesIO(body)).getnames())
    assert "serves fp32" in capsys.readouterr().out, "without DATA= there is no int8 copy, and deploy says so"
    host("deploy").main(["delete", "--endpoint-name", "whereml-once"])


def test_everything_deploy_puts_in_s3_is_under_the_workshop_prefix(host, aws):
    before = set(keys())
    host("deploy").deploy(f"s3://{BUCKET}/training/output/model.tar.gz", ROLE, endpoint_name="whereml-prefix",
                          wait=False)
    assert [key for key in set(keys()) - before if not key.startswith("whereml/")] == [], (
        "the SDK's repack goes to its code_location, under s3://BUCKET/whereml/, not the top of the bucket")
    host("deploy").main(["delete", "--endpoint-name", "whereml-prefix"])


def test_a_second_deploy_moves_the_endpoint_to_the_new_model(host, aws, capsys):
    """Real SageMaker refuses to create an endpoint config or an endpoint whose name exists (moto overwrites): the
    second deploy makes a new config, updates the endpoint to it, and deletes the old config and model."""
    refusal = RefusesExisting(boto3.DEFAULT_SESSION)
    deploy = host("deploy")
    model_data = f"s3://{BUCKET}/training/output/model.tar.gz"
    deploy.deploy(model_data, ROLE, endpoint_name="whereml-twice", wait=False)
    first = aws.describe_endpoint(EndpointName="whereml-twice")["EndpointConfigName"]
    [old] = aws.describe_endpoint_config(EndpointConfigName=first)["ProductionVariants"]
    deploy.deploy(model_data, ROLE, endpoint_name="whereml-twice", wait=False)
    second = aws.describe_endpoint(EndpointName="whereml-twice")["EndpointConfigName"]
    assert second != first and refusal.refused == [], "a new config, and an update instead of a second create"
    configs = [c["EndpointConfigName"] for c in aws.list_endpoint_configs()["EndpointConfigs"]]
    assert first not in configs and second in configs, "the old config is deleted once the endpoint moved"
    [variant] = aws.describe_endpoint_config(EndpointConfigName=second)["ProductionVariants"]
    models = [m["ModelName"] for m in aws.list_models()["Models"]]
    assert variant["ModelName"] in models and old["ModelName"] not in models, "the old model went too"
    assert "exists: moving it to the new model" in capsys.readouterr().out
    deploy.main(["delete", "--endpoint-name", "whereml-twice"])


def test_the_stand_in_refuses_as_sagemaker_does(aws):
    """The refusal the test above relies on (a deploy that creates twice fails against it)."""
    RefusesExisting(boto3.DEFAULT_SESSION)
    client = boto3.client("sagemaker")
    client.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "x"})
    variant = {"VariantName": "AllTraffic", "ModelName": "m", "InitialInstanceCount": 1, "InstanceType": "ml.c5.large"}
    client.create_endpoint_config(EndpointConfigName="once", ProductionVariants=[variant])
    with pytest.raises(client.exceptions.ClientError, match="Cannot create already existing endpoint configuration"):
        client.create_endpoint_config(EndpointConfigName="once", ProductionVariants=[variant])
    client.delete_endpoint_config(EndpointConfigName="once")
    client.delete_model(ModelName="m")


def test_cleanup_removes_what_the_workshop_put_in_s3_and_says_what_is_left(host, aws, capsys):
    s3 = boto3.client("s3")
    for key in ("whereml/data/train.rec", "whereml/locationnet/model.tar.gz", "someone-elses/file",
                "mxnet-inference-2026-12-01-10-00-00-000/model.tar.gz"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    host("deploy").deploy(f"s3://{BUCKET}/training/output/model.tar.gz", ROLE, endpoint_name="whereml-s3", wait=False)
    with pytest.raises(SystemExit) as caught:
        host("deploy").main(["cleanup", "--bucket", BUCKET])
    assert keys("whereml/") == [], "everything under s3://BUCKET/whereml/ goes, the repacked model too"
    assert "someone-elses/file" in keys(), "only what the workshop made"
    assert "mxnet-inference-2026-12-01-10-00-00-000/model.tar.gz" in str(caught.value), (
        "a copy an earlier deploy left at the top of the bucket is named, not passed over in silence")
    assert "Deleted" in capsys.readouterr().out
    s3.delete_object(Bucket=BUCKET, Key="mxnet-inference-2026-12-01-10-00-00-000/model.tar.gz")
    host("deploy").main(["cleanup", "--bucket", BUCKET])
    assert f"Nothing the workshop made is left on SageMaker or under s3://{BUCKET}/whereml/" in capsys.readouterr().out


def test_deploy_and_cleanup_print_no_sdk_config_lines(host, tree):
    """The SDK logs where it looked for its config (two `sagemaker.config INFO` lines): nothing a host can act on."""
    run = subprocess.run([sys.executable, str(tree / "03_host" / "deploy.py"), "--help"], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0 and "sagemaker.config" not in run.stdout + run.stderr, run.stdout + run.stderr


def test_locationnet_without_an_int8_copy_says_it_serves_fp32(host, aws, locationnet_folder, tmp_path):
    folder = tmp_path / "locationnet"
    shutil.copytree(locationnet_folder, folder, ignore=shutil.ignore_patterns("model-int8-*"))
    said = []
    host("deploy").package(str(folder), None, f"s3://{BUCKET}/whereml/locationnet", say=said.append)
    assert any("no int8 copy" in line and "serves fp32" in line for line in said), said


def test_make_deploy_passes_no_int8_and_needs_no_data():
    """README: `make deploy MODEL=build/model UPLOAD=... ROLE=...`; NO_INT8=1 passes --no-int8."""
    run = subprocess.run(["make", "-n", "deploy", "MODEL=build/model", f"UPLOAD=s3://{BUCKET}/whereml/model",
                          f"ROLE={ROLE}", "NO_INT8=1"], capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert run.returncode == 0 and "--no-int8" in run.stdout and "--data" not in run.stdout, run.stdout + run.stderr


def test_no_int8_leaves_the_int8_copy_out_of_the_archive(host, aws, locationnet_folder):
    said = []
    host("deploy").package(str(locationnet_folder), None, f"s3://{BUCKET}/whereml/fp32", make_int8=False,
                           say=said.append)
    body = boto3.client("s3").get_object(Bucket=BUCKET, Key="whereml/fp32/model.tar.gz")["Body"].read()
    names = set(tarfile.open(fileobj=io.BytesIO(body)).getnames())
    assert "RN101-5k500-0012.params" in names and not any(name.startswith("model-int8") for name in names), (
        "NO_INT8=1 serves fp32: the int8 copy the folder has must not go, or the endpoint would load it")
    assert any("serves fp32" in line for line in said), said


def test_a_big_archive_goes_up_with_a_progress_bar(host, aws, tmp_path, capsys):
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(os.urandom(11 * 10 ** 6))
    host("deploy").upload(str(archive), BUCKET, "whereml/big/model.tar.gz")
    captured = capsys.readouterr()
    assert "Uploading 11 MB to s3://" in captured.out and "100%" in captured.err, captured
    boto3.client("s3").delete_object(Bucket=BUCKET, Key="whereml/big/model.tar.gz")

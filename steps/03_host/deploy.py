"""Put the trained model behind a SageMaker endpoint, take it down, or clean up everything the workshop made.

    python deploy.py deploy --model-data s3://BUCKET/.../model.tar.gz --role arn:aws:iam::ACCOUNT:role/NAME \\
        [--instance-type ml.c5.large] [--endpoint-name whereml] [--autoscale 1:3]
    python deploy.py deploy --model-data ... --role ... --serverless [--memory 3072] [--max-concurrency 2]
        (Serverless Inference: billed per request and GB-second, nothing while idle, a cold start after a pause)
    python deploy.py deploy --model-dir build/model --data build/data --upload s3://BUCKET/prefix --role ...
        (adds the int8 copy when it answers like the original, unless --no-int8; packs and uploads the folder)
    python deploy.py deploy --model-dir build/locationnet --upload s3://BUCKET/prefix --role ...
        (the talk's LocationNet as `make locationnet` left it, no training needed)
    python deploy.py delete [--endpoint-name whereml]
    python deploy.py cleanup        (every endpoint, config and model tagged project=whereml-workshop)

An instance endpoint bills for every hour it is up, answering or not: `make cleanup` when you are done.
"""
import argparse
import os
import re
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The SDK reports usage to AWS on deploy() unless this config says not to (the Makefile sets it too).
if (HERE.parent.parent / "sagemaker-config.yaml").exists():
    os.environ.setdefault("SAGEMAKER_USER_CONFIG_OVERRIDE", str(HERE.parent.parent / "sagemaker-config.yaml"))

import boto3  # noqa: E402
import sagemaker  # noqa: E402
from botocore.exceptions import BotoCoreError, ClientError  # noqa: E402
from sagemaker.mxnet import MXNetModel  # noqa: E402
from sagemaker.serverless import ServerlessInferenceConfig  # noqa: E402

import cleanup  # noqa: E402
import int8  # noqa: E402
import locationnet  # noqa: E402
import quantize  # noqa: E402

TAGS = [cleanup.TAG]
VARIANT = "AllTraffic"
INSTANCE_TYPE = "ml.c5.large"
# Serverless Inference offers 1024..6144 MB in 1 GB steps. A LocationNet-size model peaks at ~1.25 GB (fp32) and ~1.5 GB
# (int8) in model_fn plus one request, and the model server serving the int8 copy (its Java front end and one worker)
# at ~2.1 GB (bench/step03_serverless.py): 3 GB is the smallest size that holds it with room to spare.
MEMORY_SIZES = range(1024, 6145, 1024)
SERVERLESS_MEMORY_MB = 3072
SERVERLESS_MAX_CONCURRENCY = 2  # the bot's worker asks one photo at a time; 2 lets a retry overlap a slow answer
# Target tracking keeps each instance near this many invocations a minute (one ml.c5.large answers ~600).
INVOCATIONS_PER_INSTANCE = 300.0


def package(model_dir, data_dir, upload_uri, make_int8=True, say=print):
    """The model folder as s3://.../model.tar.gz, with its int8 copy when quantize.py finds it answers the same.
    LocationNet's folder (make locationnet) goes as it is: its places, and its int8 copy when it has one."""
    if make_int8 and not int8.present(model_dir) and not locationnet.present(model_dir):
        share, kept = quantize.make_int8_copy(model_dir, data_dir)
        say("int8 copy {} ({:.1%} of best guesses agree with fp32).".format("added" if kept else "not kept", share))
    bucket, _, prefix = upload_uri[len("s3://"):].partition("/")
    key = "/".join(part for part in (prefix.strip("/"), "model.tar.gz") if part)
    with tempfile.TemporaryDirectory() as scratch:
        archive = os.path.join(scratch, "model.tar.gz")
        with tarfile.open(archive, "w:gz") as tar:
            for name in sorted(os.listdir(model_dir)):
                if name not in ("model.tar.gz", "output"):  # what `launch.py --local` leaves beside the model
                    tar.add(os.path.join(model_dir, name), arcname=name)
        boto3.client("s3").upload_file(archive, bucket, key)
    return f"s3://{bucket}/{key}"


def vcpus(instance_type):
    """ml.c5.large -> 2, ml.c5.xlarge -> 4, ml.c5.4xlarge -> 16 (EC2's sizes: 2 vCPUs a "large"); None if unknown."""
    size = instance_type.rsplit(".", 1)[-1]
    if size == "large":
        return 2
    match = re.fullmatch(r"(\d*)xlarge", size)
    return 4 * int(match.group(1) or 1) if match else None


def serving_environment(instance_type):
    """The container runs one model-server worker per vCPU, each on one thread (OMP_NUM_THREADS=1): right for many
    requests at once. The bot sends one photo at a time, so one worker gets every vCPU and answers it sooner.
    Serverless (no instance type): one worker too, so that one copy of the model fills the memory paid for."""
    if instance_type is None:
        return {"SAGEMAKER_MODEL_SERVER_WORKERS": "1"}
    return {"SAGEMAKER_MODEL_SERVER_WORKERS": "1", "OMP_NUM_THREADS": str(vcpus(instance_type) or 1)}


def deploy(model_data, role, instance_type=INSTANCE_TYPE, endpoint_name="whereml", autoscale=None, wait=True,
           serverless=None):
    """Create the model, endpoint config and endpoint (tagged), then target-tracking autoscaling when asked.

    serverless=(memory MB, max concurrency) makes a Serverless Inference endpoint instead of instances.
    wait=True blocks until the endpoint is InService (several minutes), which autoscaling needs.
    """
    if serverless:
        instance_type = None
    bucket = model_data[len("s3://"):].split("/")[0]
    session = sagemaker.Session(default_bucket=bucket)  # explicit: finding a default bucket would call STS
    model = MXNetModel(
        model_data=model_data,
        role=role,
        entry_point="inference.py",
        source_dir=str(HERE),
        framework_version="1.9.0",
        py_version="py38",
        env=serving_environment(instance_type),
        sagemaker_session=session,
    )
    model.deploy(
        initial_instance_count=None if serverless else autoscale[0] if autoscale else 1,
        instance_type=instance_type,
        serverless_inference_config=_serverless_config(serverless),
        endpoint_name=endpoint_name,
        tags=TAGS,
        wait=wait,
    )
    if autoscale:
        scale(endpoint_name, *autoscale)
    return endpoint_name


def _serverless_config(serverless):
    if not serverless:
        return None
    memory, concurrency = serverless
    return ServerlessInferenceConfig(memory_size_in_mb=memory, max_concurrency=concurrency)


def scale(endpoint_name, minimum, maximum, client=None):
    """Let Application Auto Scaling keep between `minimum` and `maximum` instances, tracking invocations."""
    client = client or boto3.client("application-autoscaling")
    resource_id = f"endpoint/{endpoint_name}/variant/{VARIANT}"
    dimension = "sagemaker:variant:DesiredInstanceCount"
    client.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension=dimension,
        MinCapacity=minimum,
        MaxCapacity=maximum,
    )
    client.put_scaling_policy(
        PolicyName=f"{endpoint_name}-invocations",
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension=dimension,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": INVOCATIONS_PER_INSTANCE,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
            "ScaleInCooldown": 300,
            "ScaleOutCooldown": 60,
        },
    )


def _autoscale(text):
    try:
        minimum, maximum = (int(part) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError("--autoscale wants MIN:MAX instance counts, e.g. 1:3")
    if not 1 <= minimum <= maximum:
        raise argparse.ArgumentTypeError("--autoscale MIN:MAX needs 1 <= MIN <= MAX, e.g. 1:3")
    return minimum, maximum


def _memory(text):
    if not text.isdigit() or int(text) not in MEMORY_SIZES:
        raise argparse.ArgumentTypeError("--memory is one of 1024, 2048, 3072, 4096, 5120, 6144 (MB)")
    return int(text)


def _concurrency(text):
    if not text.isdigit() or not 1 <= int(text) <= 200:
        raise argparse.ArgumentTypeError("--max-concurrency is 1..200 requests at once")
    return int(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("deploy", help="create the endpoint (billed per hour until deleted)")
    source = up.add_mutually_exclusive_group(required=True)
    source.add_argument("--model-data", help="s3://.../model.tar.gz from step 02")
    source.add_argument("--model-dir", help="a local model folder (step 02's, or LocationNet's) to pack and upload")
    up.add_argument("--upload", help="with --model-dir: s3://bucket/prefix to upload model.tar.gz to")
    up.add_argument("--data", help="with --model-dir: the dataset folder whose val photos check the int8 copy")
    up.add_argument("--no-int8", action="store_true", help="with --model-dir: serve the fp32 network only")
    up.add_argument("--role", required=True, help="an IAM role ARN SageMaker can assume")
    up.add_argument("--instance-type", help=f"default {INSTANCE_TYPE}")
    up.add_argument("--endpoint-name", default="whereml")
    up.add_argument("--autoscale", type=_autoscale, metavar="MIN:MAX")
    up.add_argument("--serverless", action="store_true", help="Serverless Inference: no instance, billed per use")
    up.add_argument("--memory", type=_memory, default=SERVERLESS_MEMORY_MB, help="--serverless: MB of memory")
    up.add_argument("--max-concurrency", type=_concurrency, default=SERVERLESS_MAX_CONCURRENCY,
                    help="--serverless: requests at once")
    down = commands.add_parser("delete", help="delete one endpoint, its config and its model")
    down.add_argument("--endpoint-name", default="whereml")
    commands.add_parser("cleanup", help="delete everything tagged project=whereml-workshop, then list what is left")
    args = parser.parse_args(argv)

    if args.command == "deploy":
        if args.model_dir and not (args.upload or "").startswith("s3://"):
            parser.error("--model-dir needs --upload s3://bucket/prefix: SageMaker reads the model from S3.")
        if args.model_dir and not (args.no_int8 or args.data or locationnet.present(args.model_dir)):
            parser.error("--model-dir needs --data DIR (step 01's dataset) to check the int8 copy, or --no-int8.")
        if args.model_data and (not args.model_data.startswith("s3://") or not args.model_data.endswith(".tar.gz")):
            parser.error("--model-data must be the s3://.../model.tar.gz that training wrote (see `make train`).")
        if not args.role.startswith("arn:aws:iam::"):
            parser.error("--role must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME) that SageMaker can assume.")
        if args.serverless and (args.autoscale or args.instance_type):
            parser.error("--serverless has no instances: it scales by itself, without --autoscale or --instance-type.")
    try:
        if args.command == "deploy":
            if args.model_dir:
                args.model_data = package(args.model_dir, args.data, args.upload, not args.no_int8)
            serverless = (args.memory, args.max_concurrency) if args.serverless else None
            deploy(args.model_data, args.role, args.instance_type or INSTANCE_TYPE, args.endpoint_name, args.autoscale,
                   serverless=serverless)
            print(f"Endpoint {args.endpoint_name} is up. Try: python predict.py photo.jpg --endpoint {args.endpoint_name}")
            if serverless:
                print("It bills per request and GB-second, nothing while idle; the first request after a pause waits "
                      "for a cold start. `make cleanup` when you are done.")
            else:
                print("It bills by the hour until `make cleanup`.")
        elif args.command == "delete":
            cleanup.delete_endpoint(args.endpoint_name)
        else:
            left = cleanup.cleanup()
            if left:
                sys.exit("Still there, delete by hand in the SageMaker console: " + ", ".join(left))
            print("Nothing tagged project=whereml-workshop is left.")
    except (BotoCoreError, ClientError, ValueError) as error:  # the SDK raises ValueError for a missing region
        sys.exit(f"AWS refused: {error}. Check your credentials, region and the names you gave.")


if __name__ == "__main__":
    main()

"""Put the trained model behind a SageMaker endpoint, take it down, or clean up everything the workshop made.

    python deploy.py deploy --model-data s3://BUCKET/.../model.tar.gz --role arn:aws:iam::ACCOUNT:role/NAME \\
        [--instance-type ml.c5.large] [--endpoint-name whereml] [--autoscale 1:3] [--threads N]
    python deploy.py deploy --model-data ... --role ... --serverless [--memory 2048] [--max-concurrency 2]
        (Serverless Inference: billed per request and GB-second, nothing while idle, a cold start after a pause)
    python deploy.py deploy --model-dir build/model --upload s3://BUCKET/whereml/model --role ... [--data build/data]
        (packs the folder with this folder's code in code/ and uploads it once; with --data, adds the int8 copy
        when it answers like the original, unless --no-int8)
    python deploy.py deploy --model-dir build/locationnet --upload s3://BUCKET/whereml/locationnet --role ...
        (the talk's LocationNet as `make locationnet` left it, no training needed)
    python deploy.py delete [--endpoint-name whereml]
    python deploy.py cleanup [--bucket BUCKET]  (every endpoint, config and model tagged project=whereml-workshop,
        and what the workshop put in S3: s3://BUCKET/whereml/ and wherever the endpoints' models were)

A second deploy under the same endpoint name moves the endpoint to the new model (SageMaker keeps answering with the
old one until the new one is InService), then deletes the old config and model.
An instance endpoint bills for every hour it is up, answering or not: `make cleanup` when you are done.
"""
import argparse
import logging
import os
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODE = HERE / "code"  # what the container imports (SageMaker's layout inside model.tar.gz): all that deploy ships
if str(CODE) not in sys.path:
    sys.path.insert(0, str(CODE))  # the container's modules: code/, as SageMaker lays out model.tar.gz
# The SDK reports usage to AWS on deploy() unless this config says not to (the Makefile sets it too).
if (HERE.parent.parent / "sagemaker-config.yaml").exists():
    os.environ.setdefault("SAGEMAKER_USER_CONFIG_OVERRIDE", str(HERE.parent.parent / "sagemaker-config.yaml"))
# The SDK logs where it looked for its config files (two INFO lines): nothing a host acts on.
logging.getLogger("sagemaker.config").setLevel(logging.WARNING)

import boto3  # noqa: E402
import int8  # noqa: E402
import locationnet  # noqa: E402
import sagemaker  # noqa: E402
from botocore.exceptions import BotoCoreError, ClientError  # noqa: E402
from sagemaker.mxnet import MXNetModel  # noqa: E402
from sagemaker.serverless import ServerlessInferenceConfig  # noqa: E402
from threads import MOST as THREADS_MOST  # noqa: E402
from threads import VARIABLE as THREADS_VARIABLE  # noqa: E402
from threads import count as count_threads  # noqa: E402
from tqdm import tqdm  # noqa: E402

import cleanup  # noqa: E402
import predict  # noqa: E402
import quantize  # noqa: E402
from endpoint_defaults import INSTANCE_TYPE, MEMORY_SIZES, SERVERLESS_MAX_CONCURRENCY, SERVERLESS_MEMORY_MB  # noqa: E402

TAGS = [cleanup.TAG]
VARIANT = "AllTraffic"
# Target tracking keeps each instance near this many invocations a minute (one ml.c5.large answers ~600).
INVOCATIONS_PER_INSTANCE = 300.0


def package(model_dir, data_dir, upload_uri, make_int8=True, say=print):
    """The model folder as s3://.../model.tar.gz, with this folder's code in code/ (what the container runs), so that
    SageMaker serves it as it is: uploaded once, never repacked. A step-02 model gets its int8 copy when --data is
    given and quantize.py finds it answers the same; LocationNet's folder (make locationnet) goes as it is."""
    if not make_int8:
        say("--no-int8: the endpoint serves fp32" + (" (the folder's int8 copy stays out)" if int8.present(model_dir)
                                                       else "") + ".")
    elif int8.present(model_dir):
        pass
    elif locationnet.present(model_dir):
        say("LocationNet has no int8 copy (make locationnet keeps one only when it answers like fp32): the endpoint "
            "serves fp32, about twice as slow.")
    elif data_dir:
        share, kept = quantize.make_int8_copy(model_dir, data_dir)
        say("int8 copy {} ({:.1%} of best guesses agree with fp32).".format("added" if kept else "not kept", share))
    else:
        say("No int8 copy: the endpoint serves fp32 (add DATA=build/data to check one against the val photos).")
    bucket, _, prefix = upload_uri[len("s3://"):].partition("/")
    key = "/".join(part for part in (prefix.strip("/"), "model.tar.gz") if part)
    with tempfile.TemporaryDirectory() as scratch:
        archive = os.path.join(scratch, "model.tar.gz")
        with tarfile.open(archive, "w:gz") as tar:
            for name in sorted(os.listdir(model_dir)):
                left_out = ("model.tar.gz", "output", "code", int8.PREFIX + ".json")  # .json: quantize.py's record
                left_out += () if make_int8 else tuple(int8.FILES)
                if name not in left_out:  # what `launch.py --local` leaves beside the model, and what is not served
                    tar.add(os.path.join(model_dir, name), arcname=name)
            for path in container_code():
                tar.add(str(path), arcname="code/" + path.name)
        upload(archive, bucket, key, say)
    return f"s3://{bucket}/{key}"


def container_code():
    """What the container runs from code/: inference.py, the modules beside it, and the packages it installs."""
    return sorted(CODE.glob("*.py")) + [CODE / "requirements.txt"]


def upload(path, bucket, key, say=print):
    """One upload of `path` to s3://bucket/key, with a progress bar."""
    size = os.path.getsize(path)
    say(f"Uploading {size / 1e6:.0f} MB to s3://{bucket}/{key}")
    with tqdm(total=size, unit="B", unit_scale=True, disable=size < 10 ** 7) as bar:
        boto3.client("s3").upload_file(path, bucket, key, Callback=bar.update)


def serving_environment(threads=None):
    """One model-server worker, using every vCPU of the container, for the bot's one photo at a time (the container's
    default is one worker per vCPU, each on one thread, for many requests at once). MXNet's NaiveEngine runs the
    operators on that worker's own thread, to which model_fn gives the vCPUs it counts at start (code/threads.py);
    threads=N gives N instead. Serverless as well: one copy of the model fills the memory paid for."""
    environment = {"SAGEMAKER_MODEL_SERVER_WORKERS": "1", "MXNET_ENGINE_TYPE": "NaiveEngine"}
    if threads:
        environment[THREADS_VARIABLE] = str(threads)
    return environment


def deploy(model_data, role, instance_type=INSTANCE_TYPE, endpoint_name="whereml", autoscale=None, wait=True,
           serverless=None, with_code=False, threads=None, say=print):
    """Create the model and a new endpoint config (tagged), then the endpoint, or move an existing endpoint of that
    name to them (SageMaker refuses to create one twice); then target-tracking autoscaling when asked.

    with_code=True: model_data already holds code/ (package() made it), so the SDK uploads and repacks nothing.
    Otherwise (a training job's model.tar.gz) the SDK repacks it with this folder's code under s3://BUCKET/whereml/.
    serverless=(memory MB, max concurrency) makes a Serverless Inference endpoint instead of instances.
    wait=True blocks until the endpoint is InService (several minutes), which autoscaling needs.
    """
    if serverless:
        instance_type = None
    bucket = model_data[len("s3://"):].split("/")[0]
    session = sagemaker.Session(default_bucket=bucket)  # explicit: finding a default bucket would call STS
    environment = serving_environment(threads)
    if with_code:
        environment.update(SAGEMAKER_PROGRAM="inference.py", SAGEMAKER_SUBMIT_DIRECTORY="/opt/ml/model/code")
    model = MXNetModel(
        model_data=model_data,
        role=role,
        entry_point=None if with_code else "inference.py",
        source_dir=None if with_code else str(CODE),
        code_location=f"s3://{bucket}/{cleanup.S3_PREFIX}/code",
        framework_version="1.9.0",
        py_version="py38",
        env=environment,
        sagemaker_session=session,
    )
    serverless_config = _serverless_config(serverless)
    model.create(instance_type=instance_type, serverless_inference_config=serverless_config, tags=TAGS)
    variant = sagemaker.production_variant(
        model.name, instance_type, initial_instance_count=None if serverless else autoscale[0] if autoscale else 1,
        serverless_inference_config=serverless_config._to_request_dict() if serverless_config else None,
    )
    client = session.sagemaker_client
    config_name = sagemaker.utils.name_from_base(endpoint_name)
    client.create_endpoint_config(EndpointConfigName=config_name, ProductionVariants=[variant], Tags=TAGS)
    old_config = _current_config(client, endpoint_name)
    if old_config is None:
        client.create_endpoint(EndpointName=endpoint_name, EndpointConfigName=config_name, Tags=TAGS)
    else:
        say(f"Endpoint {endpoint_name} exists: moving it to the new model (it answers with the old one until then).")
        cleanup.deregister_autoscaling(endpoint_name, boto3.client("application-autoscaling"))
        client.update_endpoint(EndpointName=endpoint_name, EndpointConfigName=config_name)
    if wait or old_config:
        say(f"Waiting for endpoint {endpoint_name} to be InService (several minutes) ...")
        client.get_waiter("endpoint_in_service").wait(
            EndpointName=endpoint_name, WaiterConfig={"Delay": 15, "MaxAttempts": 120})
    if old_config:
        cleanup.delete_config_and_models(old_config, client)
    if autoscale:
        scale(endpoint_name, *autoscale)
    return endpoint_name


def _current_config(client, endpoint_name):
    """The endpoint config `endpoint_name` runs, or None when there is no such endpoint (or only a failed one, which
    SageMaker cannot update: it is deleted so that a new one can take its name)."""
    try:
        endpoint = client.describe_endpoint(EndpointName=endpoint_name)
    except ClientError as error:
        if cleanup.missing(error):
            return None
        raise
    if endpoint["EndpointStatus"] != "Failed":
        return endpoint["EndpointConfigName"]
    cleanup.delete_endpoint(endpoint_name, client)
    return None


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


def _threads(text):
    threads = count_threads(text)
    if threads is None:
        raise argparse.ArgumentTypeError(f"--threads is 1..{THREADS_MOST} (the vCPUs of SageMaker's largest CPU "
                                         "instances)")
    return threads


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
    up.add_argument("--threads", type=_threads, help="threads for the network (default: every vCPU of the container)")
    down = commands.add_parser("delete", help="delete one endpoint, its config and its model")
    down.add_argument("--endpoint-name", default="whereml")
    sweep = commands.add_parser("cleanup", help="delete what the workshop made on AWS, then list what is left")
    sweep.add_argument("--bucket", default=os.environ.get("BUCKET"),
                       help="the bucket of s3://BUCKET/whereml/ (found from the endpoints' models otherwise)")
    args = parser.parse_args(argv)

    if args.command == "deploy":
        if args.model_dir and not (args.upload or "").startswith("s3://"):
            parser.error("--model-dir needs --upload s3://bucket/prefix: SageMaker reads the model from S3.")
        if args.model_dir and not os.path.isdir(args.model_dir):
            parser.error(f"--model-dir {args.model_dir} is no folder: `make train` (or `make locationnet`) makes one.")
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
                   serverless=serverless, with_code=bool(args.model_dir), threads=args.threads)
            print(f"Endpoint {args.endpoint_name} is up. Try: {predict.how_to_ask(endpoint=args.endpoint_name)}")
            if serverless:
                print("It bills per request and GB-second, nothing while idle; the first request after a pause waits "
                      "for a cold start. `make cleanup` when you are done.")
            else:
                print("It bills by the hour until `make cleanup`.")
        elif args.command == "delete":
            cleanup.delete_endpoint(args.endpoint_name)
        else:
            left = cleanup.cleanup(bucket=args.bucket)
            if left:
                sys.exit("Still there (delete by hand in the console, or run `make cleanup` again):\n  "
                         + "\n  ".join(left))
            print("Nothing the workshop made is left on SageMaker" + (
                f" or under s3://{args.bucket}/{cleanup.S3_PREFIX}/." if args.bucket else
                "; S3 was looked at only where the endpoints' models were: give BUCKET=name to sweep "
                f"s3://BUCKET/{cleanup.S3_PREFIX}/ too."))
    except (BotoCoreError, ClientError, ValueError) as error:  # the SDK raises ValueError for a missing region
        sys.exit(f"AWS refused: {error}. Check your credentials, region and the names you gave.")


if __name__ == "__main__":
    main()

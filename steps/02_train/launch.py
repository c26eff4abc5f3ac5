"""Start train.py: on this machine the way SageMaker would (--local), or as a SageMaker training job.

    python launch.py --local --data build/data --model-dir build/model --epochs 4 --image-size 56
    python launch.py --data s3://BUCKET/whereml/data --role arn:aws:iam::ACCOUNT:role/ROLE --epochs 10
    python launch.py ... --instance-count 2            # two hosts, MXNet's parameter server (kvstore dist_sync)
    python launch.py ... --spot --max-wait 7200        # spot capacity, checkpoints in S3, resumed after interruptions
    python launch.py ... --tune 6                      # up to 6 jobs searching learning rate and batch size

Every --key value pair that launch.py does not know is a hyperparameter, passed to train.py as it is.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from geo import THRESHOLDS_KM

HERE = Path(__file__).resolve().parent
TAGS = [{"Key": "project", "Value": "whereml-workshop"}]
# What SageMaker reads from train.py's log lines (`epoch=3 train_loss=0.8123 val_top1=0.5310 ...`) into metrics.
METRIC_DEFINITIONS = [
    {"Name": "train:loss", "Regex": r"train_loss=([0-9.]+)"},
    {"Name": "val:loss", "Regex": r"val_loss=([0-9.]+)"},
    {"Name": "val:top1", "Regex": r"val_top1=([0-9.]+)"},
    {"Name": "val:top5", "Regex": r"val_top5=([0-9.]+)"},
] + [{"Name": "val:geo_%dkm" % km, "Regex": r"val_geo_%dkm=([0-9.]+)" % km} for km in THRESHOLDS_KM]
OBJECTIVE = "val:geo_750km"
# The SDK reports usage to AWS unless told not to.
SDK_CONFIG = {"SchemaVersion": "1.0", "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}}}
# What a local run leaves in --model-dir, and so may replace on the next run.
MODEL_FILES = {
    "model-symbol.json", "model-0000.params", "cells.tsv", "model-config.json", "metrics.json", "model.tar.gz", "output"
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Train the WhereML network locally or on SageMaker.",
        epilog="Any other --key value pair is a hyperparameter for train.py, e.g. --epochs 4 --image-size 56.",
        allow_abbrev=False,  # a hyperparameter must never pass for an abbreviation of launch.py's own options
    )
    parser.add_argument("--local", action="store_true", help="run train.py here, as SageMaker would (no Docker)")
    parser.add_argument("--data", required=True, help="the dataset folder (--local) or its s3:// prefix")
    parser.add_argument("--model-dir", default="build/model", help="--local: where the model lands")
    parser.add_argument("--role", default=os.environ.get("SAGEMAKER_ROLE"), help="execution role ARN ($SAGEMAKER_ROLE)")
    parser.add_argument("--bucket", help="S3 bucket for code, checkpoints and the model (default: the data's)")
    parser.add_argument("--instance-type", default="ml.m5.xlarge", help="e.g. ml.p3.2xlarge for real photos")
    parser.add_argument("--instance-count", type=int, default=1, help="more than 1: MXNet's parameter server")
    parser.add_argument(
        "--input-mode", choices=("File", "FastFile"),
        help="how the train channel reaches the hosts: File copies it all first; FastFile streams each file when "
        "it is read, so a host fetches only its own shards (default: FastFile on several hosts, else File)",
    )
    parser.add_argument("--spot", action="store_true", help="use spot capacity, checkpoint to S3")
    parser.add_argument("--max-run", type=int, default=3600, help="seconds of training at most")
    parser.add_argument("--max-wait", type=int, default=7200, help="--spot: seconds of waiting plus training at most")
    parser.add_argument("--no-wait", action="store_true", help="start the job and return")
    parser.add_argument("--tune", type=int, default=0, metavar="N", help="tune hyperparameters with up to N jobs")
    args, rest = parser.parse_known_args(argv)
    args.hyperparameters = hyperparameters(rest)
    if args.spot and args.max_wait < args.max_run:
        raise SystemExit(
            f"--max-wait {args.max_wait} is less than --max-run {args.max_run}: spot jobs wait for capacity and "
            "train within --max-wait seconds, so give it at least --max-run."
        )
    return args


def hyperparameters(pairs):
    """['--epochs', '4', '--network', 'resnet18_v1'] -> {'epochs': 4, 'network': 'resnet18_v1'}."""
    if len(pairs) % 2 or not all(key.startswith("--") for key in pairs[::2]):
        raise SystemExit(f"Hyperparameters go as --key value pairs (e.g. --epochs 4), not: {' '.join(pairs)}")
    return {key[2:]: number_or_text(value) for key, value in zip(pairs[::2], pairs[1::2])}


def number_or_text(value):
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def run_local(args):
    """train.py in a subprocess with the environment and arguments of SageMaker's container; then model.tar.gz."""
    if args.data.startswith("s3://"):
        raise SystemExit("--local trains on a folder on this machine: pass --data build/data, or drop --local.")
    model_dir = Path(args.model_dir).resolve()
    strangers = sorted(path.name for path in model_dir.glob("*") if path.name not in MODEL_FILES)
    if strangers:
        raise SystemExit(
            f"{model_dir} holds files that are not a model's ({', '.join(strangers)}): pick another --model-dir."
        )
    shutil.rmtree(model_dir, ignore_errors=True)
    (model_dir / "output").mkdir(parents=True)
    env = dict(
        os.environ,
        SM_CHANNEL_TRAIN=str(Path(args.data).resolve()),
        SM_MODEL_DIR=str(model_dir),
        SM_OUTPUT_DATA_DIR=str(model_dir / "output"),
        SM_HOSTS='["algo-1"]',
        SM_CURRENT_HOST="algo-1",
        SM_NUM_GPUS="0",
    )
    command = [sys.executable, "train.py"]
    for key, value in args.hyperparameters.items():
        command += ["--" + key, str(value)]
    if subprocess.run(command, cwd=HERE, env=env).returncode:
        raise SystemExit(1)
    with tarfile.open(model_dir / "model.tar.gz", "w:gz") as archive:
        for path in sorted(model_dir.iterdir()):
            if path.name not in ("model.tar.gz", "output"):
                archive.add(path, arcname=path.name)
    print(f"Model artifact: {model_dir / 'model.tar.gz'}")


def aws_session(args):
    """A boto3 session for a SageMaker job, or one sentence about what is missing."""
    import boto3

    if not args.data.startswith("s3://"):
        raise SystemExit(
            f"A SageMaker job reads its data from S3, not {args.data}: upload it with "
            "`make data UPLOAD=s3://BUCKET/whereml/data` and pass that URI, or add --local."
        )
    if not args.role:
        raise SystemExit(
            "No SageMaker execution role: pass --role arn:aws:iam::<account>:role/<role> (`make train ROLE=...`), "
            "a role SageMaker can assume that reads and writes your bucket."
        )
    if not args.role.startswith("arn:aws:iam::"):
        raise SystemExit(
            f"--role {args.role} is not a role ARN: pass one like arn:aws:iam::123456789012:role/SageMakerRole."
        )
    session = boto3.Session()
    if session.get_credentials() is None:
        raise SystemExit(
            "No AWS credentials: run `aws configure` (or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY), or add --local to train on this machine."
        )
    if not session.region_name:
        raise SystemExit("No AWS region: set AWS_DEFAULT_REGION (e.g. export AWS_DEFAULT_REGION=us-west-2).")
    return session


def spot_settings(args, bucket, job_name):
    """Spot capacity needs a time limit for waiting and, to resume after an interruption, the job's own place in S3
    for checkpoints (the jobs of a tuning run would share one: they start afresh instead)."""
    if not args.spot:
        return {}
    settings = {"use_spot_instances": True, "max_wait": args.max_wait}
    if not args.tune:
        settings["checkpoint_s3_uri"] = f"s3://{bucket}/whereml/checkpoints/{job_name}"
    return settings


def job_settings(args, session, bucket, job_name):
    """The estimator's settings that every job of the workshop shares, finished for you: the metrics SageMaker reads
    from the log, the time limit, where the model and the code go (both under whereml/, where the role may write; the
    SDK would put the code at the top of the bucket), the tags, launch.py's session (which turns the SDK's telemetry
    off), and spot capacity when asked for."""
    output_path = f"s3://{bucket}/whereml/training"
    return dict(
        metric_definitions=METRIC_DEFINITIONS,
        max_run=args.max_run,
        output_path=output_path,
        code_location=output_path,
        tags=TAGS,
        sagemaker_session=session,
        **spot_settings(args, bucket, job_name),
    )


def make_estimator(args, session, bucket, job_name):
    """The SageMaker MXNet estimator that runs this folder's train.py."""
    from sagemaker.mxnet import MXNet

    raise NotImplementedError("TODO 02.5: the SageMaker MXNet estimator that runs train.py")


def tune(args, estimator, inputs, job_name):
    """Up to --tune jobs, two at a time, searching learning rate and batch size for the best val geo accuracy."""
    from sagemaker.tuner import CategoricalParameter, ContinuousParameter, HyperparameterTuner

    tuner = HyperparameterTuner(
        estimator,
        objective_metric_name=OBJECTIVE,
        hyperparameter_ranges={
            "learning-rate": ContinuousParameter(0.0001, 0.05, scaling_type="Logarithmic"),
            "batch-size": CategoricalParameter([32, 64, 128]),
        },
        metric_definitions=METRIC_DEFINITIONS,
        objective_type="Maximize",
        max_jobs=args.tune,
        max_parallel_jobs=min(args.tune, 2),
        tags=TAGS,
    )
    tuner.fit(inputs, job_name=job_name, wait=not args.no_wait)
    print(f"Tuning job: {job_name}")
    if args.no_wait:
        print("Its best job, once it is done: aws sagemaker describe-hyper-parameter-tuning-job "
              f"--hyper-parameter-tuning-job-name {job_name}")
        return
    best = tuner.best_training_job()
    print(f"Best training job: {best}")
    print(f"Model artifact: {estimator.output_path}/{best}/output/model.tar.gz")


def train_channel(args):
    """The train channel: every host sees every file (FullyReplicated) and train.py picks each worker's shards.

    Not ShardedByS3Key: it deals out single S3 objects, so a shard's .rec and its .idx could land on different
    hosts, and cells.tsv and dataset.json on one host only.
    """
    from sagemaker.inputs import TrainingInput

    mode = args.input_mode or ("FastFile" if args.instance_count > 1 else "File")
    return TrainingInput(args.data, distribution="FullyReplicated", input_mode=mode)


def sagemaker_session(boto_session, bucket):
    """The SDK's Session with our config (no usage reports) and the bucket (else the SDK asks STS for the account)."""
    import sagemaker

    return sagemaker.Session(boto_session=boto_session, default_bucket=bucket, sagemaker_config=SDK_CONFIG)


def run_cloud(args):
    boto_session = aws_session(args)
    bucket = args.bucket or args.data[len("s3://"):].split("/")[0]
    session = sagemaker_session(boto_session, bucket)
    job_name = time.strftime("whereml-%Y%m%d-%H%M%S")
    estimator = make_estimator(args, session, bucket, job_name)
    inputs = {"train": train_channel(args)}
    if args.tune:
        tune(args, estimator, inputs, job_name)
        return
    estimator.fit(inputs, job_name=job_name, wait=not args.no_wait)
    print(f"Training job: {job_name}")
    print(f"Model artifact: {estimator.output_path}/{job_name}/output/model.tar.gz")


def main(argv=None):
    args = parse_args(argv)
    if args.local:
        run_local(args)
    else:
        run_cloud(args)


if __name__ == "__main__":
    main()

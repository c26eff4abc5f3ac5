"""Step 01 at scale: manifest shards packed by N SageMaker Processing instances, or by N processes on this machine.

    prepare.py --source mmcommons --metadata yfcc.parquet --out build/yfcc --processing 8 \
               --upload s3://BUCKET/whereml/yfcc --role arn:aws:iam::ACCOUNT:role/ROLE
    prepare.py --source mmcommons --metadata yfcc.csv --out build/yfcc --processing 2 --local

manifests.py cuts the metadata into cells.tsv and manifest shards; pack_shards.py packs the shards (each instance gets
its share of them through ShardedByS3Key, each local process its share the same way); the shard reports are merged
into dataset.json. The dataset holds train-NNNNN.rec/.idx and val-NNNNN.rec/.idx shards that train.py reads.
"""
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import boto3
from botocore.exceptions import WaiterError

import cellmap
import dataset_json
import manifests
import upload
from errors import BadInput

HERE = Path(__file__).resolve().parent
TAGS = [{"Key": "project", "Value": "whereml-workshop"}]
SDK_CONFIG = {"SchemaVersion": "1.0", "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}}}
MANIFESTS = "/opt/ml/processing/input/manifests"
OUTPUT = "/opt/ml/processing/output"
NO_SPOT = "SageMaker Processing has no spot capacity (only training jobs do): the instances are on demand."


def check(args):
    """Refuse what cannot work, before the metadata is read."""
    if args.source != "mmcommons":
        raise BadInput("--processing packs photos of the Multimedia Commons: use --source mmcommons --metadata FILE.")
    if args.processing < 1:
        raise BadInput(f"--processing {args.processing} must be at least 1 (instances, or processes with --local).")
    if args.shard_photos < 1:
        raise BadInput(f"--shard-photos {args.shard_photos} must be at least 1.")
    if args.local:
        return
    if not args.upload:
        raise BadInput("--processing on SageMaker needs --upload s3://bucket/prefix for the dataset (or add --local).")
    if not args.role:
        raise BadInput(
            "--processing on SageMaker needs an execution role: pass --role arn:aws:iam::<account>:role/<role> "
            "(or set SAGEMAKER_ROLE), a role SageMaker can assume that reads and writes your bucket; or add --local."
        )
    if not args.role.startswith("arn:aws:iam::"):
        raise BadInput(f"--role {args.role} is not a role ARN: pass one like arn:aws:iam::123456789012:role/Name.")
    if not boto3.Session().region_name:
        raise BadInput("no AWS region: set AWS_DEFAULT_REGION (e.g. export AWS_DEFAULT_REGION=us-west-2).")


def make_processor(args, session, bucket):
    """The MXNet 1.9 (Python 3.8) Processing job that runs pack_shards.py on args.processing instances."""
    from sagemaker.mxnet import MXNetProcessor

    return MXNetProcessor(
        framework_version="1.9.0",
        py_version="py38",
        role=args.role,
        instance_count=args.processing,
        instance_type=args.instance_type,
        volume_size_in_gb=args.volume_size,
        code_location=f"s3://{bucket}/whereml/processing",
        base_job_name="whereml-pack",
        sagemaker_session=session,
        tags=TAGS,
    )


def sagemaker_session(bucket):
    """The SDK's Session with our config (no usage reports) and the bucket (else the SDK asks STS for the account)."""
    import sagemaker

    return sagemaker.Session(boto_session=boto3.Session(), default_bucket=bucket, sagemaker_config=SDK_CONFIG)


def run_job(args, scratch):
    """Upload the manifests, run the Processing job to its end; returns the shard reports it left on S3."""
    from sagemaker.processing import ProcessingInput, ProcessingOutput

    bucket, prefix = upload.parse_uri(args.upload)
    job_name = time.strftime("whereml-pack-%Y%m%d-%H%M%S")
    manifest_uri = f"s3://{bucket}/whereml/manifests/{job_name}"
    upload.upload(scratch / "manifests", manifest_uri)
    session = sagemaker_session(bucket)
    processor = make_processor(args, session, bucket)
    print(f"Processing job {job_name}: {args.processing} x {args.instance_type}; the shards go to {args.upload}")
    print(NO_SPOT)
    processor.run(
        code="pack_shards.py",
        source_dir=str(HERE),
        inputs=[
            ProcessingInput(source=manifest_uri, destination=MANIFESTS, s3_data_distribution_type="ShardedByS3Key")
        ],
        outputs=[ProcessingOutput(source=OUTPUT, destination=args.upload.rstrip("/"), output_name="dataset")],
        arguments=["--image-size", str(args.image_size), "--delete-photos", "1"],
        job_name=job_name,
        wait=False,
    )
    wait_for(session.sagemaker_client, job_name)
    s3 = boto3.client("s3")
    listing = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{prefix}/reports/".lstrip("/"))
    keys = [item["Key"] for page in listing for item in page.get("Contents", [])]
    return [json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read()) for key in sorted(keys)]


def wait_for(sagemaker_client, job_name):
    """Until the job ends, a look every 30 s (the first at once, where the SDK's wait sleeps 5 s first); one sentence
    if it did not complete."""
    waiter = sagemaker_client.get_waiter("processing_job_completed_or_stopped")
    try:
        waiter.wait(ProcessingJobName=job_name, WaiterConfig={"Delay": 30, "MaxAttempts": 2 * 60 * 24})
    except WaiterError:  # it failed, or still runs after a day: said below
        pass
    job = sagemaker_client.describe_processing_job(ProcessingJobName=job_name)
    if job["ProcessingJobStatus"] != "Completed":
        raise BadInput(
            f"Processing job {job_name} is {job['ProcessingJobStatus']}: {job.get('FailureReason', 'no reason')}. "
            "Its logs are in CloudWatch (/aws/sagemaker/ProcessingJobs); fix that, then run prepare.py again."
        )


def run_local(args, folder, scratch):
    """pack_shards.py as args.processing processes here, each over its share of the shards; returns the reports."""
    shards = sorted((scratch / "manifests").glob("manifest-*.tsv"))
    downloads = args.out.resolve().parent / "mmcommons"
    print(f"Photos from s3://multimedia-commons are kept in {downloads} (a second run reuses them).")
    packers = []
    for part in range(args.processing):
        inbox = scratch / f"input-{part}"
        inbox.mkdir()
        for shard in shards[part :: args.processing]:  # the shards one instance would get
            (inbox / shard.name).symlink_to(shard)
        command = [sys.executable, str(HERE / "pack_shards.py"), "--input", str(inbox), "--output", str(folder)]
        command += ["--reports", str(scratch / "reports"), "--downloads", str(downloads)]
        command += ["--image-size", str(args.image_size), "--workers", str(max(1, args.workers // args.processing))]
        packers.append(subprocess.Popen(command))
    failed = sum(1 for packer in packers if packer.wait())
    if failed:
        raise BadInput(f"{failed} of {len(packers)} packers failed (above); downloaded photos stay: run again.")
    return [json.loads(path.read_text()) for path in sorted((scratch / "reports").glob("report-*.json"))]


def merge_reports(reports, about, args):
    """dataset.json of a sharded dataset: the partition's counts, every shard's photos, the skipped ones by reason."""
    skipped = Counter(about["skipped"])
    for report in reports:
        skipped.update(report["skipped"])
    shards = {split: {f"{split}-{r['shard']}": r[split] for r in reports if r[split]} for split in ("train", "val")}
    train, val = sum(shards["train"].values()), sum(shards["val"].values())
    if not train or not val:
        reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items()))
        raise BadInput(
            f"the shards hold {train} train and {val} val photos ({reasons or 'none skipped'}): check that the "
            "hashes of --metadata name photos of the bucket (README.md), or lower --t-min."
        )
    return dataset_json.describe(args, about["cells"], train, val, about["excluded"], skipped, shards=shards)


def make_dataset(args, folder, scratch):
    """prepare.py's make_dataset at scale: cells.tsv, cells.png and dataset.json in `folder`, shards where they go."""
    rows, about = manifests.make_manifests(args, folder, scratch / "manifests", min_shards=args.processing)
    cellmap.draw(folder / "cells.png", rows)
    print(f"{about['photos']} photos in {about['cells']} cells, in {about['manifests']} manifest shards.")
    reports = run_local(args, folder, scratch) if args.local else run_job(args, scratch)
    dataset = merge_reports(reports, about, args)
    dataset_json.write(folder, dataset)
    return dataset

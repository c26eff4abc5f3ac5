"""Packing at scale: the SageMaker Processing request as the SDK sends it (to moto), and the same packer run here as
N processes against a stand-in Multimedia Commons bucket (moto's server on 127.0.0.1) holding what one machine packs."""
import ast
import io
import json
import math
import re
import tarfile
from collections import Counter

import boto3
import pytest
from moto import mock_aws

import aws_events
import moto_server as moto_server_module
import scale_world
from python38 import assert_runs_on_python_3_8

ROLE = "arn:aws:iam::123456789012:role/WhereMLProcessing"
BUCKET = "whereml-test-bucket"
DATASET = f"s3://{BUCKET}/whereml/yfcc"


@pytest.fixture(scope="module")
def metadata(tmp_path_factory):
    return scale_world.write_metadata(tmp_path_factory.mktemp("world") / "yfcc.csv", scale_world.rows())


@pytest.fixture(scope="module")
def commons(moto_server):
    """moto's server on 127.0.0.1 holding every photo of the world; the packers' processes reach it too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL_S3", moto_server)
        yield scale_world.fill_bucket(scale_world.rows(), moto_server_module.emptied(moto_server))


def records(recordio, folder, split):
    """Counter of (label, JPEG bytes) over every <split>.rec or <split>-NNNNN.rec in `folder`."""
    found = Counter()
    for path in sorted(folder.glob(f"{split}*.rec")):
        reader = recordio.MXRecordIO(str(path), "r")
        record = reader.read()
        while record:
            header, jpeg = recordio.unpack(record)
            found[(tuple(header.label.round(5).tolist()), jpeg)] += 1
            record = reader.read()
        reader.close()
    return found


@pytest.fixture(scope="module")
def one_machine(prepare, metadata, commons, tmp_path_factory):
    out = tmp_path_factory.mktemp("one") / "data"
    prepare.main(["--source", "mmcommons", "--metadata", str(metadata), "--out", str(out)] + scale_world.FLAGS)
    return out


@pytest.fixture(scope="module")
def n_way(prepare, metadata, commons, tmp_path_factory):
    """Two local packers over three shards, as two Processing instances would get them."""
    out = tmp_path_factory.mktemp("n-way") / "data"
    prepare.main(
        ["--source", "mmcommons", "--metadata", str(metadata), "--out", str(out)] + scale_world.FLAGS
        + ["--processing", "2", "--local", "--shard-photos", "20"]
    )
    return out


def test_n_local_packers_hold_the_records_of_one_machine(one_machine, n_way, recordio):
    assert (n_way / "cells.tsv").read_text() == (one_machine / "cells.tsv").read_text()
    for split in ("train", "val"):
        theirs, ours = records(recordio, one_machine, split), records(recordio, n_way, split)
        assert sum(ours.values()) == sum(theirs.values()), f"the shards hold another number of {split} photos"
        assert ours == theirs, f"the {split} shards hold other records than {split}.rec of the one-machine run"


def test_the_shards_are_listed_in_dataset_json(n_way, recordio):
    about = json.loads((n_way / "dataset.json").read_text())
    shards = {path.stem for path in n_way.glob("*-0*.rec")}
    assert shards == set(about["shards"]["train"]) | set(about["shards"]["val"])
    assert len([name for name in shards if name.startswith("train-")]) == math.ceil(about["photos"] / 20), (
        "--shard-photos 20: a manifest shard (and so a .rec shard) per 20 photos"
    )
    for split in ("train", "val"):
        assert sum(about["shards"][split].values()) == about[split] == sum(records(recordio, n_way, split).values())
        for name in about["shards"][split]:
            assert (n_way / f"{name}.idx").is_file(), f"{name}.rec needs its {name}.idx"
    assert about["skipped"] == {} and about["photos"] + about["excluded"] == len(scale_world.rows())


@pytest.fixture(scope="module")
def pack_shards(load):
    return load("01_data", "pack_shards")


def write_manifest(path, listed):
    lines = ["photo\thash\tlat\tlng\tclass\tsplit"]
    for number, (photo, photo_hash, lat, lng) in enumerate(listed):
        lines.append(f"{photo}\t{photo_hash}\t{lat}\t{lng}\t0\t{'val' if number % 4 == 0 else 'train'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def test_a_shard_of_missing_photos_is_counted_and_packs_nothing(pack_shards, commons, tmp_path):
    absent = [(str(9000 + n), f"{n:032x}", 48.8, 2.3) for n in range(4)]
    write_manifest(tmp_path / "in" / "manifest-00007.tsv", absent)
    write_manifest(tmp_path / "in" / "manifest-00008.tsv", scale_world.rows()[:4])
    pack_shards.main(["--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"), "--image-size", "32"]
                     + ["--downloads", str(tmp_path / "photos"), "--workers", "1"])
    missing = json.loads((tmp_path / "out" / "reports" / "report-00007.json").read_text())
    assert missing == {"shard": "00007", "train": 0, "val": 0, "skipped": {"missing on S3": 4}}
    assert not list((tmp_path / "out").glob("*-00007.rec")), "a shard without photos writes no .rec"
    assert sorted(path.name for path in (tmp_path / "out").glob("*.rec")) == ["train-00008.rec", "val-00008.rec"]


@pytest.mark.parametrize("photo_id", ["../../escaped", "/ABSOLUTE/escaped", "１２", "12.jpg"],
                         ids=["parent folders", "an absolute path", "fullwidth digits", "a file name"])
def test_a_manifest_row_that_is_no_yfcc_id_is_counted_and_nothing_is_written_outside(pack_shards, commons, tmp_path,
                                                                                      photo_id):
    photo_id = photo_id.replace("/ABSOLUTE", str(tmp_path))
    rows = scale_world.rows()[:4]
    write_manifest(tmp_path / "in" / "manifest-00003.tsv", rows + [(photo_id, *rows[0][1:]), rows[1]])
    pack_shards.main(["--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"), "--image-size", "32"]
                     + ["--downloads", str(tmp_path / "photos"), "--workers", "1"])
    report = json.loads((tmp_path / "out" / "reports" / "report-00003.json").read_text())
    assert report["train"] + report["val"] == 4
    assert set(report["skipped"].values()) == {1} and len(report["skipped"]) == 2, (
        f"the odd id and the repeated row are each skipped and counted: {report['skipped']}"
    )
    outside = [path for path in tmp_path.rglob("*escaped*")] + list(tmp_path.glob("*.jpg"))
    assert outside == [], "a photo id names a file in --downloads: never one outside it"


def test_a_full_disk_in_the_packer_is_one_sentence(pack_shards, commons, tmp_path):
    write_manifest(tmp_path / "in" / "manifest-00004.tsv", scale_world.rows()[:8])
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "train-00004.rec").symlink_to("/dev/full")  # every write fails with ENOSPC, as on a full disk
    with pytest.raises(SystemExit) as stop:
        pack_shards.main(["--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"), "--image-size", "32"]
                         + ["--downloads", str(tmp_path / "photos"), "--workers", "1"])
    assert "the disk is full" in str(stop.value.code) and "\n" not in str(stop.value.code)
    assert not (tmp_path / "out" / "reports").exists(), "a shard that could not be written has no report: not done"


def test_every_photo_missing_is_one_sentence(load, prepare, metadata):
    processing = load("01_data", "processing")
    args = prepare.parse_args(["--source", "mmcommons", "--metadata", str(metadata), "--out", "unused"])
    reports = [{"shard": f"0000{n}", "train": 0, "val": 0, "skipped": {"missing on S3": 4}} for n in range(2)]
    with pytest.raises(processing.BadInput, match=r"the shards hold 0 train and 0 val photos \(8 missing on S3\)"):
        processing.merge_reports(reports, {"cells": 3, "excluded": 0, "skipped": {}}, args)


def test_an_empty_shard_is_one_sentence(pack_shards, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "manifest-00000.tsv").write_text("photo\thash\tlat\tlng\tclass\tsplit\n")
    with pytest.raises(SystemExit, match="manifest-00000.tsv holds no photos: make the manifests again"):
        pack_shards.main(["--input", str(tmp_path / "in"), "--output", str(tmp_path / "out")])


@pytest.fixture
def aws(monkeypatch):
    """moto in this process with the user's bucket; every AWS request as the SDK sends it, before moto sees it."""
    sent = aws_events.record_requests(monkeypatch)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)  # this test's S3 is moto in this process
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        yield s3, sent


def cloud_flags(metadata, out):
    return ["--source", "mmcommons", "--metadata", str(metadata), "--out", str(out)] + scale_world.FLAGS + [
        "--processing", "4", "--upload", DATASET, "--role", ROLE, "--shard-photos", "11", "--instance-type",
        "ml.c5.4xlarge",
    ]


def test_the_processing_job_runs_on_n_instances_each_with_its_shards(prepare, metadata, aws, tmp_path, capsys):
    s3, sent = aws
    # What the instances would have written.
    for shard, (train, val) in enumerate([(9, 2), (9, 2), (8, 3), (9, 2), (9, 2), (0, 0)]):
        report = {"shard": f"{shard:05d}", "train": train, "val": val, "skipped": {"missing on S3": 1}}
        s3.put_object(Bucket=BUCKET, Key=f"whereml/yfcc/reports/report-{shard:05d}.json", Body=json.dumps(report))
    prepare.main(cloud_flags(metadata, tmp_path / "data"))

    (job,) = [params for name, params in sent if name == "CreateProcessingJob"]
    cluster = job["ProcessingResources"]["ClusterConfig"]
    assert cluster["InstanceCount"] == 4 and cluster["InstanceType"] == "ml.c5.4xlarge"
    assert re.fullmatch(r".*/mxnet-training:1\.9\.0-cpu-py38", job["AppSpecification"]["ImageUri"])
    assert job["RoleArn"] == ROLE and {"Key": "project", "Value": "whereml-workshop"} in job["Tags"]
    inputs = {item["InputName"]: item["S3Input"] for item in job["ProcessingInputs"]}
    manifests = [given for given in inputs.values() if given["LocalPath"] == "/opt/ml/processing/input/manifests"]
    assert len(manifests) == 1, f"one input should bring the manifests to /opt/ml/processing/input/manifests: {inputs}"
    assert manifests[0]["S3DataDistributionType"] == "ShardedByS3Key", "each instance should get its own shards"
    bucket, key = manifests[0]["S3Uri"][len("s3://"):].split("/", 1)
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=key)["Contents"]
    assert len(listed) == 6 and all(item["Key"].endswith(".tsv") for item in listed), "58 photos, 11 a shard"
    (output,) = job["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["S3Uri"] == DATASET and output["S3Output"]["LocalPath"] == "/opt/ml/processing/output"
    arguments = job["AppSpecification"]["ContainerArguments"]
    assert arguments[arguments.index("--image-size") + 1] == "32"

    printed = capsys.readouterr().out
    assert job["ProcessingJobName"] in printed and DATASET in printed, "print the job's name and where its output goes"
    assert "no spot capacity" in printed, "say that Processing jobs cannot use spot capacity"
    about = json.loads(s3.get_object(Bucket=BUCKET, Key="whereml/yfcc/dataset.json")["Body"].read())
    assert about["train"] == 44 and about["val"] == 11 and about["skipped"] == {"missing on S3": 6}
    assert about["shards"]["train"]["train-00002"] == 8
    s3.head_object(Bucket=BUCKET, Key="whereml/yfcc/cells.tsv")

    code = inputs["code"]["S3Uri"]
    bucket, key = code[len("s3://"):].split("/", 1)
    with tarfile.open(fileobj=io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read())) as archive:
        names = [name for name in archive.getnames() if name.endswith((".py", ".txt"))]
        sources = {name: archive.extractfile(name).read().decode() for name in names}
    assert "pack_shards.py" in sources and "requirements.txt" in sources
    modules, outside = container_modules(sources, "pack_shards")
    host_only = outside & {"pandas", "pyarrow", "s2rst", "s2sphere", "reverse_geocode", "sagemaker"}
    assert not host_only, f"pack_shards.py imports what the MXNet container lacks: {host_only}"
    assert_runs_on_python_3_8({name + ".py": sources[name + ".py"] for name in modules}, "Processing container")


def test_a_processing_job_that_fails_is_one_sentence_and_leaves_no_dataset(prepare, metadata, aws, tmp_path,
                                                                           monkeypatch):
    def failed_job(parsed, **_):  # what AWS answers for a job whose script raised
        parsed.update(ProcessingJobStatus="Failed", FailureReason="AlgorithmError: pack_shards.py exited 1")

    aws_events.on_every_new_session(monkeypatch, "after-call.sagemaker.DescribeProcessingJob", failed_job)
    with pytest.raises(SystemExit) as stopped:
        prepare.main(cloud_flags(metadata, tmp_path / "data"))
    assert re.search(r"Processing job whereml-pack-\S+ is Failed: AlgorithmError: pack_shards\.py exited 1\. Its logs "
                     r"are in CloudWatch", str(stopped.value)), f"say that the job failed, and why: {stopped.value}"
    assert sorted(path.name for path in tmp_path.iterdir()) == [], "a failed job leaves no dataset folder here"


def container_modules(sources, start):
    """(the modules of the uploaded folder that `start` imports directly or not, the other packages they import)."""
    seen, pending, outside = set(), [start], set()
    while pending:
        name = pending.pop()
        if name + ".py" not in sources:
            outside.add(name.split(".")[0])
        if name in seen or name + ".py" not in sources:
            continue
        seen.add(name)
        for node in ast.walk(ast.parse(sources[name + ".py"])):
            if isinstance(node, ast.Import):
                pending += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                pending.append(node.module)
    assert {"pack_shards", "pack", "mmcommons", "photos"} <= seen
    return sorted(seen), outside


@pytest.mark.parametrize(
    "change, message",
    [
        (["--role", ""], "needs an execution role: pass --role"),
        (["--role", "WhereML"], "--role WhereML is not a role ARN"),
        (["--upload", ""], "needs --upload s3://bucket/prefix"),
        (["--processing", "0"], "--processing 0 must be at least 1"),
        (["--shard-photos", "0"], "--shard-photos 0 must be at least 1"),
        (["--source", "sample"], "--processing packs photos of the Multimedia Commons"),
    ],
)
def test_processing_without_what_it_needs_is_one_sentence(prepare, metadata, tmp_path, change, message):
    flags = cloud_flags(metadata, tmp_path / "data")
    flags[flags.index(change[0]) + 1] = change[1]
    with pytest.raises(SystemExit) as stop:
        prepare.main(flags)
    assert message in str(stop.value)
    assert not (tmp_path / "data").exists(), "refused before any work"

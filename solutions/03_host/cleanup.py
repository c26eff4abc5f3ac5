"""Find the workshop's SageMaker resources by their tag and delete them (endpoints, then configs, then models),
then what the workshop put in S3: everything under s3://BUCKET/whereml/, and each endpoint model's archive.

Safe to repeat: what is already gone is skipped. An endpoint's autoscaling target goes with it.
"""
import boto3
from botocore.exceptions import ClientError

TAG = {"Key": "project", "Value": "whereml-workshop"}
S3_PREFIX = "whereml"  # every command keeps what it writes to S3 under s3://BUCKET/whereml/
SDK_LEFTOVER = "mxnet-inference-"  # where SageMaker SDK repacks went at the top of the bucket before they went there
KINDS = {"endpoint": "Endpoint", "endpoint_config": "EndpointConfig", "model": "Model"}  # the order to delete in


def tagged(client=None):
    """[(kind, name)] of every endpoint, endpoint config and model tagged project=whereml-workshop."""
    client = client or boto3.client("sagemaker")
    found = []
    for kind, shape in KINDS.items():
        for page in client.get_paginator(f"list_{kind}s").paginate():
            for item in page[shape + "s"]:
                if TAG in client.list_tags(ResourceArn=item[shape + "Arn"])["Tags"]:
                    found.append((kind, item[shape + "Name"]))
    return found


def cleanup(client=None, scaling=None, bucket=None, s3=None, say=print):
    """Delete every tagged resource and what the workshop put in S3 (under s3://bucket/whereml/, and the archives the
    tagged models served); return what is still there afterwards (e.g. "endpoint whereml")."""
    client = client or boto3.client("sagemaker")
    s3 = s3 or boto3.client("s3")
    found = tagged(client)
    archives = {model_archive(name, client) for kind, name in found if kind == "model"} - {None}
    for kind, name in found:
        delete(kind, name, client, scaling)
    buckets = {bucket} - {None} | {archive_bucket for archive_bucket, _ in archives}
    for name in sorted(buckets):
        delete_objects(s3, list_objects(s3, name, S3_PREFIX + "/"), say)
    delete_objects(s3, [(name, key) for name, key in archives if not key.startswith(S3_PREFIX + "/")], say)
    left = ["{} {}".format(kind.replace("_", " "), name) for kind, name in tagged(client)]
    for name in sorted(buckets):
        left += [f"s3://{name}/{key}" for _, key in list_objects(s3, name, S3_PREFIX + "/")]
        left += [f"s3://{name}/{key} (an earlier deploy's copy of a model, it seems: `aws s3 rm s3://{name}/{key}` if it is "
                 "the workshop's)" for _, key in list_objects(s3, name, SDK_LEFTOVER)]
    return left


def model_archive(name, client):
    """(bucket, key) of the model.tar.gz that model `name` serves, or None."""
    try:
        url = client.describe_model(ModelName=name)["PrimaryContainer"].get("ModelDataUrl", "")
    except ClientError as error:
        if missing(error):
            return None
        raise
    bucket, _, key = url[len("s3://"):].partition("/")
    return (bucket, key) if url.startswith("s3://") and key else None


def list_objects(s3, bucket, prefix):
    """[(bucket, key)] of every object under s3://bucket/prefix ([] when the bucket is gone)."""
    try:
        pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix))
    except ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchBucket":
            return []
        raise
    return [(bucket, item["Key"]) for page in pages for item in page.get("Contents", [])]


def delete_objects(s3, objects, say=print):
    """Delete [(bucket, key)], saying what went; keys already gone are skipped without a word."""
    for name in sorted({object_bucket for object_bucket, _ in objects}):
        keys = [key for object_bucket, key in objects if object_bucket == name]
        for start in range(0, len(keys), 1000):  # DeleteObjects takes 1,000 keys a call
            batch = keys[start:start + 1000]
            s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True})
        if keys:
            say("Deleted {} object{} in s3://{}/ ({}{})".format(
                len(keys), "s" if len(keys) > 1 else "", name, keys[0], ", ..." if len(keys) > 1 else ""))


def delete_endpoint(name, client=None, scaling=None):
    """Delete one endpoint, its endpoint config and its model, whatever of them still exists."""
    client = client or boto3.client("sagemaker")
    try:
        config = client.describe_endpoint(EndpointName=name)["EndpointConfigName"]
        variants = client.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"]
    except ClientError as error:
        if not missing(error):
            raise
        print(f"There is no endpoint {name} (or its config is gone): `make cleanup` finds the rest by tag.")
        return
    delete("endpoint", name, client, scaling)
    delete("endpoint_config", config, client, scaling)
    for variant in variants:
        delete("model", variant["ModelName"], client, scaling)


def delete_config_and_models(config, client):
    """Delete an endpoint config no endpoint runs any more, and its models."""
    try:
        variants = client.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"]
    except ClientError as error:
        if not missing(error):
            raise
        return
    delete("endpoint_config", config, client)
    for variant in variants:
        delete("model", variant["ModelName"], client)


def delete(kind, name, client, scaling=None):
    """Delete one resource of `kind` (see KINDS); an endpoint also loses its autoscaling target first."""
    if kind == "endpoint":
        deregister_autoscaling(name, scaling or boto3.client("application-autoscaling"))
    try:
        getattr(client, "delete_" + kind)(**{KINDS[kind] + "Name": name})
    except ClientError as error:
        if not missing(error):
            raise
        return
    if kind == "endpoint":
        client.get_waiter("endpoint_deleted").wait(EndpointName=name, WaiterConfig={"Delay": 15, "MaxAttempts": 60})
    print("Deleted {} {}".format(kind.replace("_", " "), name))


def deregister_autoscaling(endpoint, scaling):
    for target in scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]:
        if target["ResourceId"].startswith(f"endpoint/{endpoint}/"):
            scaling.deregister_scalable_target(
                ServiceNamespace="sagemaker",
                ResourceId=target["ResourceId"],
                ScalableDimension=target["ScalableDimension"],
            )


def missing(error):
    return error.response["Error"]["Code"] in ("ValidationException", "ResourceNotFound")

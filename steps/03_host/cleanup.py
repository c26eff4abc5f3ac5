"""Find the workshop's SageMaker resources by their tag and delete them: endpoints, then configs, then models.

Safe to repeat: what is already gone is skipped. An endpoint's autoscaling target goes with it.
"""
import boto3
from botocore.exceptions import ClientError

TAG = {"Key": "project", "Value": "whereml-workshop"}
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


def cleanup(client=None, scaling=None):
    """Delete every tagged resource; return what is still there afterwards (e.g. "endpoint whereml")."""
    client = client or boto3.client("sagemaker")
    for kind, name in tagged(client):
        delete(kind, name, client, scaling)
    return ["{} {}".format(kind.replace("_", " "), name) for kind, name in tagged(client)]


def delete_endpoint(name, client=None, scaling=None):
    """Delete one endpoint, its endpoint config and its model, whatever of them still exists."""
    client = client or boto3.client("sagemaker")
    try:
        config = client.describe_endpoint(EndpointName=name)["EndpointConfigName"]
        variants = client.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"]
    except ClientError as error:
        if not _missing(error):
            raise
        print(f"There is no endpoint {name} (or its config is gone): `make cleanup` finds the rest by tag.")
        return
    delete("endpoint", name, client, scaling)
    delete("endpoint_config", config, client, scaling)
    for variant in variants:
        delete("model", variant["ModelName"], client, scaling)


def delete(kind, name, client, scaling=None):
    """Delete one resource of `kind` (see KINDS); an endpoint also loses its autoscaling target first."""
    if kind == "endpoint":
        _deregister_autoscaling(name, scaling or boto3.client("application-autoscaling"))
    try:
        getattr(client, "delete_" + kind)(**{KINDS[kind] + "Name": name})
    except ClientError as error:
        if not _missing(error):
            raise
        return
    if kind == "endpoint":
        client.get_waiter("endpoint_deleted").wait(EndpointName=name, WaiterConfig={"Delay": 15, "MaxAttempts": 60})
    print("Deleted {} {}".format(kind.replace("_", " "), name))


def _deregister_autoscaling(endpoint, scaling):
    for target in scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]:
        if target["ResourceId"].startswith(f"endpoint/{endpoint}/"):
            scaling.deregister_scalable_target(
                ServiceNamespace="sagemaker",
                ResourceId=target["ResourceId"],
                ScalableDimension=target["ScalableDimension"],
            )


def _missing(error):
    return error.response["Error"]["Code"] in ("ValidationException", "ResourceNotFound")

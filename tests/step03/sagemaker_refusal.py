"""SageMaker's refusal to create an endpoint or an endpoint config under a name that exists, for moto (which
overwrites instead), and UpdateEndpoint (which moto lacks): a botocore hook on a boto3 session answers these calls as
SageMaker does, before moto sees them. The update is stood in by moto's own delete and create of the endpoint."""
import json

from botocore.awsrequest import AWSResponse

REFUSALS = {  # operation: (what exists is asked with, the name in the request, SageMaker's words, the ARN's kind)
    "CreateEndpointConfig": ("describe_endpoint_config", "EndpointConfigName",
                             "Cannot create already existing endpoint configuration", "endpoint-config"),
    "CreateEndpoint": ("describe_endpoint", "EndpointName", "Cannot create already existing endpoint", "endpoint"),
}


class RefusesExisting:
    """Registered on `session`: its SageMaker clients made from now on meet SageMaker's refusals; `refused` lists
    the names refused."""

    def __init__(self, session):
        self.session = session
        self.refused = []
        for operation in REFUSALS:
            session.events.register(f"before-call.sagemaker.{operation}", self.answer)
        session.events.register("before-call.sagemaker.UpdateEndpoint", self.update)

    def update(self, params, **_):
        request = json.loads(params["body"])
        client = self.session.client("sagemaker")
        endpoint = client.describe_endpoint(EndpointName=request["EndpointName"])
        tags = client.list_tags(ResourceArn=endpoint["EndpointArn"])["Tags"]
        client.delete_endpoint(EndpointName=request["EndpointName"])
        client.create_endpoint(EndpointName=request["EndpointName"], EndpointConfigName=request["EndpointConfigName"],
                               Tags=tags)
        answer = {"EndpointArn": endpoint["EndpointArn"], "ResponseMetadata": {"HTTPStatusCode": 200}}
        return AWSResponse("https://sagemaker.amazonaws.com/", 200, {}, None), answer

    def answer(self, model, params, **_):
        describe, field, words, kind = REFUSALS[model.name]
        name = json.loads(params["body"])[field]
        client = self.session.client("sagemaker")
        try:
            getattr(client, describe)(**{field: name})
        except client.exceptions.ClientError:
            return None  # no such name: the call goes on to moto
        self.refused.append(name)
        arn = f"arn:aws:sagemaker:{client.meta.region_name}:123456789012:{kind}/{name}"
        error = {"Error": {"Code": "ValidationException", "Message": f'{words} "{arn}".'},
                 "ResponseMetadata": {"HTTPStatusCode": 400}}
        return AWSResponse("https://sagemaker.amazonaws.com/", 400, {}, None), error

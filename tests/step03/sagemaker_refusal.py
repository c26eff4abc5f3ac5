"""SageMaker where moto differs: real SageMaker refuses to create an endpoint or an endpoint config under a name that
exists (moto overwrites), and updates an endpoint to a new config (moto lacks UpdateEndpoint).

SageMakerRules answers those calls from what moto holds, through a boto3 client of moto; RefusesExisting puts the
rules in front of moto as a botocore hook on a session (in-process moto), and Middleware as a WSGI layer in front of
moto's server (a stand-in account for other processes). Every other call goes to moto as it is.
"""
import io
import json

from botocore.awsrequest import AWSResponse

REFUSALS = {  # operation: (what exists is asked with, the name in the request, SageMaker's words, the ARN's kind)
    "CreateEndpointConfig": ("describe_endpoint_config", "EndpointConfigName",
                             "Cannot create already existing endpoint configuration", "endpoint-config"),
    "CreateEndpoint": ("describe_endpoint", "EndpointName", "Cannot create already existing endpoint", "endpoint"),
}


class SageMakerRules:
    def __init__(self, client):
        self.client = client  # a SageMaker client of the moto that holds the account
        self.refused = []

    def answer(self, operation, request):
        """(HTTP status, parsed answer) where SageMaker answers otherwise than moto, else None."""
        if operation == "UpdateEndpoint":
            return self.update(request)
        if operation not in REFUSALS:
            return None
        describe, field, words, kind = REFUSALS[operation]
        name = request[field]
        try:
            getattr(self.client, describe)(**{field: name})
        except self.client.exceptions.ClientError:
            return None  # no such name: the call goes on to moto
        self.refused.append(name)
        arn = f"arn:aws:sagemaker:{self.client.meta.region_name}:123456789012:{kind}/{name}"
        return 400, {"Error": {"Code": "ValidationException", "Message": f'{words} "{arn}".'}}

    def update(self, request):
        """UpdateEndpoint, stood in by moto's own delete and create of the endpoint (tags kept)."""
        endpoint = self.client.describe_endpoint(EndpointName=request["EndpointName"])
        tags = self.client.list_tags(ResourceArn=endpoint["EndpointArn"])["Tags"]
        self.client.delete_endpoint(EndpointName=request["EndpointName"])
        self.client.create_endpoint(EndpointName=request["EndpointName"],
                                    EndpointConfigName=request["EndpointConfigName"], Tags=tags)
        return 200, {"EndpointArn": endpoint["EndpointArn"]}


class RefusesExisting(SageMakerRules):
    """Registered on `session`: its SageMaker clients made from now on meet SageMaker's rules."""

    def __init__(self, session):
        super().__init__(session.client("sagemaker"))
        for operation in (*REFUSALS, "UpdateEndpoint"):
            session.events.register(f"before-call.sagemaker.{operation}", self.before_call)

    def before_call(self, model, params, **_):
        answer = self.answer(model.name, json.loads(params["body"]))
        if answer is None:
            return None
        status, parsed = answer
        parsed["ResponseMetadata"] = {"HTTPStatusCode": status}
        return AWSResponse("https://sagemaker.amazonaws.com/", status, {}, None), parsed


class Middleware(SageMakerRules):
    """A WSGI layer in front of moto's server app: SageMaker's JSON calls meet SageMaker's rules first."""

    def __init__(self, app, client):
        super().__init__(client)
        self.app = app

    def __call__(self, environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("SageMaker."):
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        answer = self.answer(target.split(".", 1)[1], json.loads(body or b"{}"))
        if answer is None:
            environ["wsgi.input"] = io.BytesIO(body)
            return self.app(environ, start_response)
        status, parsed = answer
        if status >= 300:
            parsed = {"__type": parsed["Error"]["Code"], "message": parsed["Error"]["Message"]}
        data = json.dumps(parsed).encode()
        start_response(f"{status} {'OK' if status < 300 else 'Bad Request'}",
                       [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))])
        return [data]

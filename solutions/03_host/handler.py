"""The SageMaker MXNet handler service, in this process, without multi-model-server or Java.

In the container, multi-model-server loads `HandlerService` from sagemaker-mxnet-inference, calls `initialize(context)`
once and `handle(data, context)` per request. `Context` below is the part of the server's context object that the
handler service uses: the model folder, one request's headers, and the answer's status and content type.
"""
import os
import sys

from sagemaker_mxnet_serving_container.handler_service import HandlerService

CODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "code")  # model.tar.gz's code/: inference.py


class Context:
    def __init__(self, model_dir, headers=None):
        self.system_properties = {"model_dir": model_dir, "gpu_id": None, "batch_size": 1, "server_name": "whereml"}
        self.request_processor = [RequestProcessor(headers or {})]

    def set_response_content_type(self, index, value):
        self.request_processor[index].content_type = value

    def set_response_status(self, code=200, phrase="", idx=0):
        self.request_processor[idx].status, self.request_processor[idx].phrase = code, phrase


class RequestProcessor:
    def __init__(self, headers):
        self.headers = headers
        self.status, self.phrase, self.content_type = 200, "OK", None

    def get_request_properties(self):
        return self.headers


def start(model_dir):
    """Load code/inference.py and its model from `model_dir`, as the container does at start."""
    if CODE_DIR not in sys.path:
        sys.path.insert(0, CODE_DIR)  # the container puts /opt/ml/model/code on the path the same way
    os.environ["SAGEMAKER_PROGRAM"] = "inference.py"
    service = HandlerService()
    service.initialize(Context(model_dir))
    return service


def invoke(service, model_dir, body, content_type, accept=None):
    """One request through the handler service -> (status, content type, answer bytes)."""
    headers = {"Content-Type": content_type}
    if accept:
        headers["Accept"] = accept
    context = Context(model_dir, headers)
    [answer] = service.handle([{"body": body}], context)
    processor = context.request_processor[0]
    if isinstance(answer, str):
        answer = answer.encode("utf-8")
    return processor.status, processor.content_type or "text/plain", bytes(answer)

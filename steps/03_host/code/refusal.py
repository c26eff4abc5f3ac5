"""A request the endpoint will not answer: an HTTP status and one JSON sentence that says what to do instead.

Raised anywhere in inference.py's handlers, the SageMaker inference toolkit turns it into that status, with the JSON
as the first line of the body (the toolkit appends a Python traceback after it).
"""
import json
from http import HTTPStatus

from sagemaker_inference.errors import BaseInferenceToolkitError


class Refused(BaseInferenceToolkitError):
    def __init__(self, status, sentence):
        self.sentence = sentence
        super().__init__(status, json.dumps({"error": sentence}), HTTPStatus(status).phrase)

    def __str__(self):
        return "{} {}".format(self.status_code, self.sentence)

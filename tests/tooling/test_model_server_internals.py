"""workshop/bench/step03_serving.py runs multi-model-server with the configuration SageMaker's MXNet container writes.
sagemaker-inference builds it only inside start_model_server, which also writes /etc and pip-installs the model's
requirements: so the bench calls the private function that builds it, `model_server._generate_mms_config_properties`.
No public route exists; this fails, naming what moved, when sagemaker-inference changes under the bench."""
import importlib.metadata
import inspect

from sagemaker_inference import environment, model_server

WRITTEN_FOR = "1.10.1"  # the sagemaker-inference of constraints.txt the bench was written against


def test_the_toolkit_is_the_one_the_bench_was_written_for():
    assert importlib.metadata.version("sagemaker-inference") == WRITTEN_FOR, (
        "sagemaker-inference changed: check workshop/bench/step03_serving.py's model_server_on against it, then "
        "update WRITTEN_FOR")


def test_the_private_config_builder_takes_what_the_bench_gives_it(monkeypatch):
    builder = getattr(model_server, "_generate_mms_config_properties", None)
    assert builder, "sagemaker-inference has no _generate_mms_config_properties any more: the bench calls it"
    assert list(inspect.signature(builder).parameters) == ["env", "handler_service"]
    monkeypatch.setenv("SAGEMAKER_BIND_TO_PORT", "28080")
    config = builder(environment.Environment(), "handler_service")
    assert "inference_address=http://0.0.0.0:28080" in config, "the bench rewrites this line to 127.0.0.1"
    assert "management_address=http://0.0.0.0:28080" in config, "the bench gives management a port of its own"
    assert model_server.DEFAULT_MMS_LOG_FILE, "the bench passes the toolkit's log configuration to MMS"

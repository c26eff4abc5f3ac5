"""predict.py: the command-line client, through boto3, against a local endpoint (serve.py's server in a thread)."""
import threading

import pytest


@pytest.fixture(scope="module")
def local_endpoint(host, model_dir):
    serve = host("serve")
    server = serve.create(serve.Endpoint.for_model(model_dir), port=0)
    threading.Thread(target=server.run, daemon=True).start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.mark.parametrize(
    "code, flag", [("FR", "\U0001F1EB\U0001F1F7"), ("jp", "\U0001F1EF\U0001F1F5"), ("", ""), ("F", ""), ("É1", "")]
)
def test_flags_are_regional_indicator_pairs_for_two_letters_only(host, code, flag):
    assert host("predict").flag(code) == flag


def test_a_photo_prints_places_flags_and_probabilities(host, local_endpoint, big_jpeg, tmp_path, monkeypatch, capsys):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(big_jpeg)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name)  # a laptop without AWS credentials still asks `make serve`
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", local_endpoint)
    host("predict").main([str(photo)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("1. ") and len(lines) == 4, "a title line, then the 3 guesses, best first"
    assert all("%" in line for line in lines[1:]), "each guess shows its probability"


@pytest.mark.parametrize(
    "argument, message",
    [("missing.jpg", "no photo at"), ("not-a-photo", "refused the photo")],
    ids=["a photo path that does not exist", "a file that is not a photo"],
)
def test_mistakes_get_one_sentence_and_a_non_zero_exit(host, local_endpoint, tmp_path, monkeypatch, argument, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "not-a-photo").write_text("hello")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", local_endpoint)
    with pytest.raises(SystemExit) as caught:
        host("predict").main([argument])
    assert message in str(caught.value)


def test_no_server_says_to_start_one(host, monkeypatch, tmp_path, big_jpeg):
    (tmp_path / "photo.jpg").write_bytes(big_jpeg)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", "http://127.0.0.1:9")
    with pytest.raises(SystemExit, match="make serve"):
        host("predict").main([str(tmp_path / "photo.jpg")])

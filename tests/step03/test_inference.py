"""inference.py: the four handlers on the step-02 checkpoint model, the answer's format, and every bad request."""
import ast
import json
from pathlib import Path

import pytest
from bad_requests import BAD_REQUESTS

ANSWER_KEYS = {"lat", "lng", "probability", "cell", "place", "admin1", "country_code"}


def answer(inference, locator, body, content_type="image/jpeg", accept="application/json"):
    data = inference.input_fn(body, content_type)
    text, content_type = inference.output_fn(inference.predict_fn(data, locator), accept)
    assert content_type == "application/json", "output_fn must return (the JSON text, 'application/json')"
    return json.loads(text)


def test_model_fn_loads_the_network_its_cells_and_its_sizes(locator, model_dir):
    config = json.loads(Path(model_dir, "model-config.json").read_text())
    cells = Path(model_dir, "cells.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(locator.cells) == config["classes"] == len(cells), "load_model must read every row of cells.tsv"
    assert (locator.resize, locator.image_size) == (config["resize"], config["image_size"]), (
        "load_model must take resize and image_size from model-config.json"
    )
    first = cells[0].split("\t")
    assert locator.cells[0]["token"] == first[1] and locator.cells[0]["lat"] == pytest.approx(float(first[4]))
    assert locator.model_name == config["network"]


def test_the_answer_has_the_documented_fields_best_first(host, locator, big_jpeg):
    result = answer(host("inference"), locator, big_jpeg)
    assert set(result) == {"predictions", "model"}, "the answer is {'predictions': [...], 'model': name}"
    predictions = result["predictions"]
    assert len(predictions) == 3, "without a k, the endpoint answers the 3 most likely places"
    assert all(set(guess) == ANSWER_KEYS for guess in predictions), f"each guess has exactly {sorted(ANSWER_KEYS)}"
    probabilities = [guess["probability"] for guess in predictions]
    assert probabilities == sorted(probabilities, reverse=True), "predictions must be best first"
    assert 0 < sum(probabilities) <= 1.0001, "probabilities come from a softmax over every cell"
    tokens = [cell["token"] for cell in locator.cells]
    assert all(guess["cell"] in tokens for guess in predictions), "'cell' is the S2 token from cells.tsv"


def test_predictions_are_the_most_probable_cells(host, locator, val_photos):
    inference = host("inference")
    data = inference.input_fn(val_photos[0][0], "image/jpeg")
    image = host("photo").decode(data.image, locator.resize)
    batch = inference.preprocess(image, locator.resize, locator.image_size)
    probabilities = locator(batch)[0].asnumpy()
    top = inference.predict_fn(inference.input_fn(val_photos[0][0], "image/jpeg")._replace(k=5), locator).top
    expected = sorted(range(len(probabilities)), key=lambda index: -probabilities[index])[:5]
    assert [cell["token"] for cell, _ in top] == [locator.cells[index]["token"] for index in expected], (
        "predict_fn must keep the k most probable cells, best first"
    )
    assert [p for _, p in top] == pytest.approx([float(probabilities[index]) for index in expected])


def test_preprocessing_matches_training_so_validation_accuracy_holds(host, locator, val_photos, model_dir):
    """The model scored val_top1 on these photos in training; served the same way, it must score about the same."""
    inference = host("inference")
    hits = 0
    for jpeg, label in val_photos:
        best = inference.predict_fn(inference.input_fn(jpeg, "image/jpeg"), locator).top[0][0]
        hits += best["token"] == locator.cells[label]["token"]
    trained = json.loads(Path(model_dir, "metrics.json").read_text())["final"]["val_top1"]
    served = hits / len(val_photos)
    assert served == pytest.approx(trained, abs=0.05), (
        f"served top-1 {served:.1%} differs from training's {trained:.1%}: preprocess must resize the short side, "
        "centre-crop, scale to 0..1, subtract MEAN and divide by STD, in CHW order, as step 02 did"
    )


def test_preprocess_makes_a_normalised_chw_batch(host):
    from PIL import Image

    inference = host("inference")
    batch = inference.preprocess(Image.new("RGB", (80, 64), (255, 0, 128)), resize=64, size=56)
    assert batch.shape == (1, 3, 56, 56), "preprocess returns one (1, 3, size, size) batch"
    pixel = batch[0, :, 28, 28].asnumpy()
    expected = [(value / 255 - mean) / std for value, mean, std in zip((255, 0, 128), inference.MEAN, inference.STD)]
    assert pixel == pytest.approx(expected, abs=0.02), "pixels are (value / 255 - MEAN) / STD, channel first"


def test_mean_and_std_are_the_ones_step_02_trained_with(host, load):
    trained = load("02_train", "dataset")
    assert (host("inference").MEAN, host("inference").STD) == (trained.MEAN, trained.STD), (
        "serving must normalise with step 02's MEAN and STD"
    )


def test_json_url_requests_set_k(host, monkeypatch, locator, big_jpeg):
    inference = host("inference")
    fetched = []
    monkeypatch.setattr(host("fetch"), "fetch", lambda url, max_bytes: fetched.append(url) or big_jpeg)
    url = "https://pbs.twimg.com/media/photo.jpg"
    result = answer(inference, locator, json.dumps({"url": url, "k": 5}), "application/json")
    assert fetched == [url] and len(result["predictions"]) == 5, '{"url": ..., "k": 5} answers 5 places'


@pytest.mark.parametrize("row", BAD_REQUESTS, ids=[row[0] for row in BAD_REQUESTS])
def test_bad_requests_are_refused_with_a_status_and_a_json_sentence(host, locator, bad_request, row):
    inference, refused = host("inference"), host("refusal").Refused
    body, content_type, status, word = bad_request(row)
    with pytest.raises(refused) as caught:
        inference.predict_fn(inference.input_fn(body, content_type), locator)
    assert caught.value.status_code == status, f"{row[0]}: expected HTTP {status}, got {caught.value.status_code}"
    assert word in json.loads(caught.value.message)["error"], "the JSON error says what to send instead"


def test_an_answer_nobody_can_read_is_refused(host, locator, big_jpeg):
    inference = host("inference")
    prediction = inference.predict_fn(inference.input_fn(big_jpeg, "image/jpeg"), locator)
    with pytest.raises(host("refusal").Refused) as caught:
        inference.output_fn(prediction, "text/csv")
    assert caught.value.status_code == 406


def test_code_for_the_container_parses_as_python_3_8(tree):
    """The SageMaker MXNet 1.9 inference image runs Python 3.8: inference.py and what it imports must too."""
    folder = tree / "03_host"
    local = {path.stem for path in folder.glob("*.py")}
    todo, seen = ["inference"], set()
    while todo:
        name = todo.pop()
        seen.add(name)
        source = (folder / f"{name}.py").read_text()
        module = ast.parse(source, feature_version=(3, 8))
        for node in ast.walk(module):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                todo += [n for n in names if n in local and n not in seen]
            if isinstance(node, ast.Attribute) and node.attr in ("removeprefix", "removesuffix"):
                pytest.fail(f"{name}.py uses str.{node.attr}, which Python 3.8 lacks")
            for annotation in (getattr(node, "annotation", None), getattr(node, "returns", None)):
                if isinstance(annotation, ast.Subscript) and getattr(annotation.value, "id", "") in (
                    "list", "dict", "tuple", "set", "type"
                ):
                    pytest.fail(f"{name}.py annotates with {annotation.value.id}[...], which Python 3.8 cannot run")
    assert {"photo", "fetch", "cells", "locator"} <= seen

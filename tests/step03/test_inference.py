"""inference.py: the four handlers on the step-02 checkpoint model, the answer's format, and every bad request."""
import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest

from bad_requests import BAD_REQUESTS
from python38 import assert_runs_on_python_3_8

ANSWER_KEYS = {"lat", "lng", "probability", "cell", "place", "admin1", "country_code"}


def served(inference, prediction, accept="application/json"):
    """output_fn's answer as the SageMaker toolkit sends it: a (body, content type) pair, or a bare body sent as
    `accept`."""
    result = inference.output_fn(prediction, accept)
    body, content_type = result if isinstance(result, tuple) else (result, str(accept))
    assert isinstance(body, (str, bytes)), (
        f"output_fn returned a {type(body).__name__}: return the JSON text, json.dumps(answer), with its content type"
    )
    assert content_type.split(";")[0].strip().lower() == "application/json", (
        f"output_fn says its answer is {content_type!r}: it is JSON, say 'application/json'"
    )
    return json.loads(body)


def answer(inference, locator, body, content_type="image/jpeg", accept="application/json"):
    return served(inference, inference.predict_fn(inference.input_fn(body, content_type), locator), accept)


def approx_if_number(value):
    return pytest.approx(value, abs=1e-6) if isinstance(value, float) else value


def loaded(inference, model_dir):
    """load_model(model_dir), or a failure that says what it must read."""
    try:
        return inference.load_model(model_dir)
    except Exception as error:
        pytest.fail(
            f"load_model raised {type(error).__name__}: {error}. It must read, inside model_dir: the network "
            "(model-symbol.json with its weights, model-0000.params), model-config.json and cells.tsv."
        )


@pytest.mark.todo("03.1")
def test_load_model_reads_the_cells_and_the_sizes_of_the_model_folder(host, model_dir):
    locator = loaded(host("inference"), model_dir)
    config = json.loads(Path(model_dir, "model-config.json").read_text())
    cells = Path(model_dir, "cells.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(locator.cells) == config["classes"] == len(cells), "load_model must read every row of cells.tsv"
    assert (locator.resize, locator.image_size) == (config["resize"], config["image_size"]), (
        f"load_model gave Locator resize={locator.resize} and image_size={locator.image_size}: model-config.json "
        f"says resize {config['resize']} and image_size {config['image_size']} (Locator takes resize, then image_size)"
    )
    first = cells[0].split("\t")
    assert locator.cells[0]["token"] == first[1] and locator.cells[0]["lat"] == pytest.approx(float(first[4])), (
        "class 0 is the first row of cells.tsv: read it with read_cells"
    )
    assert locator.model_name == config["network"], "the model's name is model-config.json's 'network'"


@pytest.mark.todo("03.1")
def test_load_model_reads_sizes_and_name_other_than_the_checkpoints(host, model_dir, tmp_path):
    # The checkpoint model says resize 64, image_size 56: a model trained at other sizes must be served at its own.
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("model-symbol.json", "model-0000.params", "cells.tsv"):
        (folder / name).write_bytes(Path(model_dir, name).read_bytes())
    config = dict(json.loads(Path(model_dir, "model-config.json").read_text()), resize=96, image_size=80,
                  network="resnet18_v1")
    (folder / "model-config.json").write_text(json.dumps(config))
    locator = loaded(host("inference"), str(folder))
    got = (locator.resize, locator.image_size, locator.model_name)
    assert got == (96, 80, "resnet18_v1"), (
        f"a model folder whose model-config.json says resize 96, image_size 80 and network resnet18_v1 gave Locator "
        f"{got}: read all three from model-config.json, never the numbers of one model"
    )


@pytest.mark.todo("03.1")
def test_load_model_keeps_the_trained_weights(host, model_dir):
    import mxnet as mx

    exported = mx.gluon.SymbolBlock.imports(
        f"{model_dir}/model-symbol.json", ["data"], f"{model_dir}/model-0000.params"
    )
    locator = loaded(host("inference"), model_dir)
    batch = mx.nd.array(np.random.default_rng(0).normal(size=(2, 3, locator.image_size, locator.image_size)))
    assert locator.network(batch).asnumpy() == pytest.approx(exported(batch).asnumpy(), abs=1e-4), (
        "load_model's network scores photos differently from the one step 02 exported: import model-symbol.json "
        "with its trained weights, model-0000.params (never initialize() them afresh)"
    )


@pytest.mark.todo("03.1")
def test_load_model_normalises_with_the_mean_and_std_of_training(host, load, model_dir):
    trained = load("02_train", "dataset")
    locator = loaded(host("inference"), model_dir)
    assert (tuple(locator.mean), tuple(locator.std)) == (pytest.approx(trained.MEAN), pytest.approx(trained.STD)), (
        f"load_model gave Locator mean={locator.mean} and std={locator.std}: pass MEAN, then STD (Locator takes "
        "network, cells, resize, image_size, name, mean, std)"
    )


@pytest.mark.todo("03.2")
def test_preprocess_makes_a_normalised_chw_batch(host):
    from PIL import Image

    inference = host("inference")
    batch = inference.preprocess(Image.new("RGB", (80, 64), (255, 0, 128)), resize=64, size=56)
    assert batch.shape == (1, 3, 56, 56), (
        f"preprocess returned shape {batch.shape}: one (1, 3, size, size) batch, channels first (transpose(2, 0, 1))"
    )
    pixel = batch[0, :, 28, 28].asnumpy()
    expected = [(value / 255 - mean) / std for value, mean, std in zip((255, 0, 128), inference.MEAN, inference.STD)]
    assert pixel == pytest.approx(expected, abs=0.02), (
        f"an RGB pixel (255, 0, 128) became {pixel.round(3).tolist()}, not {[round(v, 3) for v in expected]}: "
        "pixels are (value / 255 - mean) / std, per channel"
    )


@pytest.mark.todo("03.3")
def test_predictions_are_the_most_probable_cells(host, locator, val_photos):
    inference = host("inference")
    data = inference.input_fn(val_photos[0][0], "image/jpeg")
    image = host("photo").decode(data.image, locator.resize)
    batch = inference.preprocess(image, locator.resize, locator.image_size)
    probabilities = locator(batch)[0].asnumpy()
    top = inference.predict_fn(inference.input_fn(val_photos[0][0], "image/jpeg")._replace(k=5), locator).top
    expected = sorted(range(len(probabilities)), key=lambda index: -probabilities[index])[:5]
    assert [cell["token"] for cell, _ in top] == [locator.cells[index]["token"] for index in expected], (
        "predict_fn must keep the data.k most probable cells, best first"
    )
    assert [p for _, p in top] == pytest.approx([float(probabilities[index]) for index in expected])
    assert all(isinstance(p, float) for _, p in top), (
        f"the probabilities are {type(top[0][1]).__name__}s: make each a plain float, which json.dumps can write"
    )


@pytest.mark.todo("03.2")
def test_preprocess_normalises_with_the_mean_and_std_it_is_given(host):
    # LocationNet is served with statistics of its own: preprocess takes them as arguments.
    from PIL import Image

    inference = host("inference")
    mean, std = (0.25, 0.5, 0.75), (0.5, 0.25, 1.0)
    batch = inference.preprocess(Image.new("RGB", (80, 64), (255, 0, 128)), resize=64, size=56, mean=mean, std=std)
    pixel = batch[0, :, 28, 28].asnumpy()
    expected = [(value / 255 - m) / s for value, m, s in zip((255, 0, 128), mean, std)]
    assert pixel == pytest.approx(expected, abs=0.02), (
        f"with mean={mean} and std={std}, an RGB pixel (255, 0, 128) became {pixel.round(3).tolist()}, not "
        f"{[round(v, 3) for v in expected]}: normalise with the `mean` and `std` arguments, not the module's MEAN "
        "and STD"
    )


@pytest.mark.todo("03.3")
def test_k_may_ask_for_every_cell(host, locator, val_photos):
    inference = host("inference")
    data = inference.input_fn(val_photos[0][0], "image/jpeg")._replace(k=len(locator.cells))
    try:
        top = inference.predict_fn(data, locator).top
    except ValueError as error:
        pytest.fail(f"k = {len(locator.cells)}, every cell of the model, raised ValueError: {error}. Sort every "
                    "probability (np.argsort) and keep the first k, or partition at kth = k - 1 (np.argpartition "
                    "counts from 0)")
    probabilities = [p for _, p in top]
    assert len(top) == len(locator.cells) and probabilities == sorted(probabilities, reverse=True), (
        f"k = {len(locator.cells)} (every cell) gave {len(top)} guesses: all of them, best first"
    )


@pytest.mark.todo("03.3")
def test_preprocessing_matches_training_so_validation_accuracy_holds(host, locator, val_photos, model_dir):
    """The model scored val_top1 on these photos in training; served the same way, it must score about the same."""
    inference = host("inference")
    hits = 0
    for jpeg, label in val_photos:
        best = inference.predict_fn(inference.input_fn(jpeg, "image/jpeg"), locator).top[0][0]
        hits += best["token"] == locator.cells[label]["token"]
    trained = json.loads(Path(model_dir, "metrics.json").read_text())["final"]["val_top1"]
    served_top1 = hits / len(val_photos)
    assert served_top1 == pytest.approx(trained, abs=0.05), (
        f"served top-1 {served_top1:.1%} differs from training's {trained:.1%}: predict_fn's first guess must be the "
        "most probable cell, from the photo preprocessed as step 02 did"
    )


@pytest.mark.todo("03.4")
def test_the_answer_has_the_documented_fields_best_first(host, locator, big_jpeg):
    result = answer(host("inference"), locator, big_jpeg)
    assert set(result) == {"predictions", "model"}, (
        f"the answer has {sorted(result)}: it is {{'predictions': [...], 'model': name}}"
    )
    assert result["model"] == locator.model_name, "'model' is the model's name (prediction.model)"
    predictions = result["predictions"]
    assert len(predictions) == 3, "without a k, the endpoint answers the 3 most likely places"
    for guess in predictions:
        assert set(guess) == ANSWER_KEYS, (
            f"each guess has exactly {sorted(ANSWER_KEYS)}; this one lacks {sorted(ANSWER_KEYS - set(guess))} and "
            f"has {sorted(set(guess) - ANSWER_KEYS)} too many"
        )
    probabilities = [guess["probability"] for guess in predictions]
    assert all(isinstance(p, (int, float)) and not isinstance(p, bool) and 0 <= p <= 1 for p in probabilities), (
        f"the probabilities read {probabilities}: each is a JSON number from 0 to 1 (0.43, not '43%' or 43)"
    )
    assert probabilities == sorted(probabilities, reverse=True), "predictions must be best first"
    assert 0 < sum(probabilities) <= 1.0001, "probabilities come from a softmax over every cell"


@pytest.mark.todo("03.4")
def test_each_guess_carries_its_cell_and_probability(host, locator, big_jpeg):
    inference = host("inference")
    prediction = inference.predict_fn(inference.input_fn(big_jpeg, "image/jpeg")._replace(k=5), locator)
    guesses = served(inference, prediction)["predictions"]
    assert len(guesses) == len(prediction.top), "one guess per (cell, probability) pair of the prediction"
    for guess, (cell, probability) in zip(guesses, prediction.top):
        expected = dict(cell, cell=cell["token"], probability=probability)
        got = {key: guess.get(key) for key in ANSWER_KEYS}
        assert got == {key: approx_if_number(expected[key]) for key in ANSWER_KEYS}, (
            f"guess {got} must carry its cell's lat, lng, place, admin1 and country_code, its S2 token as 'cell', "
            "and its probability, in the prediction's order"
        )


@pytest.mark.todo("03.4")
def test_two_cells_of_one_place_stay_two_guesses_with_their_names_as_they_are(host, locator):
    # LocationNet has dozens of cells named after one city; places come from the world, in any script.
    inference = host("inference")
    paris = dict(locator.cells[0], token="47e671", place="Paris", admin1="Île-de-France", country_code="FR")
    paris_too = dict(paris, token="47e66f", lat=48.80, lng=2.30)
    ocean = dict(locator.cells[0], token="7c006f", place="", admin1="", country_code="")
    top = [(paris, 0.5), (paris_too, 0.25), (ocean, 0.125)]
    guesses = served(inference, inference.Prediction("m", top))["predictions"]
    assert [(guess.get("cell"), guess.get("place"), guess.get("admin1"), guess.get("country_code"))
            for guess in guesses] == [("47e671", "Paris", "Île-de-France", "FR"),
                                      ("47e66f", "Paris", "Île-de-France", "FR"), ("7c006f", "", "", "")], (
        f"three guesses (two cells named Paris, one at sea with no place) came back as {guesses}: one guess per "
        "(cell, probability) pair, in order, with the cell's place, admin1 and country_code as they are"
    )


@pytest.mark.todo("03.4")
@pytest.mark.parametrize("accept", ["*/*", "application/json, text/plain;q=0.5", None])
def test_the_answer_says_it_is_json_whatever_the_request_accepts(host, locator, big_jpeg, accept):
    # The content type is the answer's own, never an echo of the Accept header (which may be */* or a list).
    answer(host("inference"), locator, big_jpeg, accept=accept)


@pytest.mark.todo("03.4")
def test_json_url_requests_set_k(host, monkeypatch, locator, big_jpeg):
    inference = host("inference")
    fetched = []
    monkeypatch.setattr(host("fetch"), "fetch", lambda url, max_bytes: fetched.append(url) or big_jpeg)
    url = "https://pbs.twimg.com/media/photo.jpg"
    result = answer(inference, locator, json.dumps({"url": url, "k": 5}), "application/json")
    assert fetched == [url] and len(result["predictions"]) == 5, '{"url": ..., "k": 5} answers 5 places'


def test_mean_and_std_are_the_ones_step_02_trained_with(host, load):
    trained = load("02_train", "dataset")
    assert (host("inference").MEAN, host("inference").STD) == (trained.MEAN, trained.STD), (
        "serving must normalise with step 02's MEAN and STD"
    )



@pytest.mark.parametrize("row", BAD_REQUESTS, ids=[row[0] for row in BAD_REQUESTS])
def test_bad_requests_are_refused_with_a_status_and_a_json_sentence(host, locator, bad_request, row):
    inference, refused = host("inference"), host("refusal").Refused
    body, content_type, status, word = bad_request(row)
    with pytest.raises(refused) as caught:
        inference.predict_fn(inference.input_fn(body, content_type), locator)
    assert caught.value.status_code == status, f"{row[0]}: expected HTTP {status}, got {caught.value.status_code}"
    assert word in json.loads(caught.value.message)["error"], "the JSON error says what to send instead"


UNREADABLE = ["text/csv", "application/json;q=0", "application/json; q=0.0, */*", "text/html, application/*;q=0"]
READABLE = ["application/json", "*/*", "application/json; q=0.5", "text/html, application/*;q=0.2",
            "application/json; charset=utf-8", "image/png;q=0, */*;q=0.1"]


@pytest.mark.parametrize("accept", UNREADABLE)
def test_an_answer_nobody_can_read_is_refused(host, locator, big_jpeg, accept):
    inference = host("inference")
    prediction = inference.predict_fn(inference.input_fn(big_jpeg, "image/jpeg"), locator)
    with pytest.raises(host("refusal").Refused) as caught:
        inference.output_fn(prediction, accept)
    assert caught.value.status_code == 406, f"Accept: {accept} does not admit JSON (q=0 means not this one)"


@pytest.mark.parametrize("accept", READABLE)
def test_an_accept_header_that_admits_json_gets_json(host, locator, big_jpeg, accept):
    inference = host("inference")
    prediction = inference.predict_fn(inference.input_fn(big_jpeg, "image/jpeg"), locator)
    assert json.loads(inference.output_fn(prediction, accept)[0])["predictions"], f"Accept: {accept} admits JSON"


def test_code_for_the_container_runs_on_python_3_8(tree):
    """The SageMaker MXNet 1.9 inference image runs Python 3.8: everything in code/, which is what it imports."""
    folder = tree / "03_host" / "code"
    assert_runs_on_python_3_8({path.name: path.read_text() for path in folder.glob("*.py")}, "inference container")


def test_code_holds_every_module_the_container_imports(tree):
    """code/ is model.tar.gz's code/: inference.py's imports of the step's own modules are all found there."""
    folder = tree / "03_host" / "code"
    step = {path.stem for path in folder.glob("*.py")} | {path.stem for path in folder.parent.glob("*.py")}
    todo, seen = ["inference"], set()
    while todo:
        name = todo.pop()
        seen.add(name)
        assert (folder / f"{name}.py").exists(), f"the container imports {name}.py: it belongs in 03_host/code/"
        for node in ast.walk(ast.parse((folder / f"{name}.py").read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                todo += [n for n in names if n in step and n not in seen]
    assert {"photo", "fetch", "cells", "locator", "request"} <= seen


def test_inference_py_reads_in_todo_order_with_only_the_contract_and_the_attendee_s_functions(tree):
    """On stream the file is read top to bottom: its TODOs in order, and no machinery between them (request checks
    live in request.py, photo checks in photo.py, the int8 and LocationNet loaders in int8.py and locationnet.py)."""
    source = (tree / "03_host" / "code" / "inference.py").read_text()
    todos = re.findall(r"(?:BEGIN SOLUTION|TODO) (\d\d\.\d)", source)
    assert todos == ["03.1", "03.2", "03.3", "03.4"], f"inference.py shows its TODOs in the order {todos}"
    functions = [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]
    assert functions == ["model_fn", "load_model", "input_fn", "preprocess", "predict_fn", "output_fn"], (
        f"inference.py defines {functions}: the contract and the attendee's functions only, in the order they run"
    )

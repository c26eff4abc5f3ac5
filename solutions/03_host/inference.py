"""Where was this photo taken? The SageMaker MXNet serving contract: photo in, the most likely places out as JSON.

SageMaker's MXNet 1.9 inference container (Python 3.8, numpy < 1.20) calls, in order:
    model_fn(model_dir)              once, at start: load the model
    input_fn(body, content_type)     per request: bytes -> a checked photo
    predict_fn(data, model)          -> the k most likely cells
    output_fn(prediction, accept)    -> the JSON answer (see MAINTAINING.md, "Endpoint answer")
serve.py runs this same file on your laptop through the same handler service.
"""
import collections
import json
import os

import mxnet as mx
import numpy as np
from PIL import Image

import fetch
import int8
import locationnet
import photo
from cells import read_cells
from locator import Locator
from refusal import Refused

# Step 02 normalised its photos with these (ImageNet's per-channel statistics); serving must do the same.
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
DEFAULT_K = 3
MAX_K = 10
JSON = "application/json"
IMAGE_TYPES = ("image/jpeg", "image/png", "application/x-image")

Photo = collections.namedtuple("Photo", "image k")
Prediction = collections.namedtuple("Prediction", "model top")


def model_fn(model_dir):
    """The Locator for `model_dir`, on the int8 copy of its network when quantize.py made one, else on its fp32
    network with MKLDNN's fused layers."""
    locator = read_locator(model_dir)
    if int8.present(model_dir):
        return locator.with_network(int8.load(model_dir), locator.model_name + " (int8)").warm_up()
    return locator.warm_up(fuse=True)


def read_locator(model_dir):
    """The fp32 Locator of a step-02 model folder or of the original LocationNet files, not yet warmed up."""
    return locationnet.load(model_dir) if locationnet.present(model_dir) else load_model(model_dir)


def load_model(model_dir):
    """A step-02 model folder: model-symbol.json + model-0000.params, cells.tsv, model-config.json."""
    # BEGIN SOLUTION 03.1
    network = mx.gluon.SymbolBlock.imports(
        os.path.join(model_dir, "model-symbol.json"), ["data"], os.path.join(model_dir, "model-0000.params")
    )
    with open(os.path.join(model_dir, "model-config.json")) as file:
        config = json.load(file)
    cells = read_cells(os.path.join(model_dir, "cells.tsv"))
    return Locator(network, cells, config["resize"], config["image_size"], config["network"], MEAN, STD)
    # END SOLUTION


def input_fn(body, content_type):
    """Photo bytes, or JSON {"url": "https://pbs.twimg.com/...", "k": 3} -> Photo(an opened, checked image, k).

    A body sent as exactly application/json is decoded as UTF-8 by the toolkit before this runs: on SageMaker, one
    that is not UTF-8 gets the toolkit's 500 (serve.py refuses it with a 400 first; MAINTAINING.md, "Endpoint
    answer").
    """
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type in IMAGE_TYPES:
        return Photo(photo.open_photo(body), DEFAULT_K)
    if media_type == JSON:
        request = _read_request(body)
        return Photo(photo.open_photo(fetch.fetch(request["url"], photo.MAX_BYTES)), request["k"])
    raise Refused(
        415,
        "Content type {!r} is not served: send image/jpeg, image/png, application/x-image, "
        'or application/json {{"url": ...}}.'.format(content_type),
    )


def predict_fn(data, model):
    """Decode the photo, preprocess it as training did, score every cell, keep the k most likely."""
    image = photo.decode(data.image, model.resize)
    batch = preprocess(image, model.resize, model.image_size, model.mean, model.std)
    probabilities = model(batch)[0].asnumpy()
    # BEGIN SOLUTION 03.3
    best = np.argsort(-probabilities)[: data.k]
    top = [(model.cells[index], float(probabilities[index])) for index in best]
    # END SOLUTION
    return Prediction(model.model_name, top)


def preprocess(image, resize, size, mean=MEAN, std=STD):
    """An RGB photo -> a (1, 3, size, size) batch: short side to `resize`, centre crop, 0..1, normalised, CHW."""
    # BEGIN SOLUTION 03.2
    width, height = image.size
    scale = float(resize) / min(width, height)
    resized = (max(resize, int(round(width * scale))), max(resize, int(round(height * scale))))
    # As step 01 resized the training photos: BOX (the mean of the pixels covered) to shrink, BICUBIC to enlarge.
    image = image.resize(resized, Image.BOX if scale < 1 else Image.BICUBIC)
    left, top = (resized[0] - size) // 2, (resized[1] - size) // 2
    pixels = np.asarray(image.crop((left, top, left + size, top + size)), dtype=np.float32) / 255.0
    pixels = (pixels - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
    return mx.nd.array(pixels.transpose(2, 0, 1)[np.newaxis])
    # END SOLUTION


def output_fn(prediction, accept):
    """Prediction -> (the JSON answer, its content type), best first."""
    if not _accepts_json(accept):
        raise Refused(406, "This endpoint answers application/json only: ask for that in the Accept header.")
    # BEGIN SOLUTION 03.4
    predictions = [
        {
            "lat": cell["lat"],
            "lng": cell["lng"],
            "probability": round(probability, 6),
            "cell": cell["token"],
            "place": cell["place"],
            "admin1": cell["admin1"],
            "country_code": cell["country_code"],
        }
        for cell, probability in prediction.top
    ]
    return json.dumps({"predictions": predictions, "model": prediction.model}), JSON
    # END SOLUTION


def _read_request(body):
    """A JSON request body -> {"url": str, "k": 1..MAX_K}, or Refused(400/413)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not body:
        raise Refused(400, 'The request body is empty: send JSON {"url": "https://...", "k": 3}.')
    if len(body) > photo.MAX_BYTES:
        raise Refused(413, 'The JSON request is far too big: send {"url": "https://...", "k": 3}.')
    try:
        request = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than Python's parser goes
        raise Refused(400, 'The body is not valid JSON: send {"url": "https://...", "k": 3}.')
    if not isinstance(request, dict) or not isinstance(request.get("url"), str):
        raise Refused(400, 'The JSON has no "url" string: send {"url": "https://...", "k": 3}.')
    k = request.get("k", DEFAULT_K)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise Refused(400, '"k" must be a whole number from 1 to {}: it is how many places to answer.'.format(MAX_K))
    return {"url": request["url"], "k": k}


def _accepts_json(accept):
    """Whether the Accept header admits JSON: the most specific range naming it decides, and q=0 means "not this"."""
    qualities = {}
    for part in (accept or JSON).split(","):
        media_type, _, parameters = part.partition(";")
        qualities[media_type.strip().lower()] = _quality(parameters)
    for media_type in (JSON, "application/*", "*/*"):
        if media_type in qualities:
            return qualities[media_type] > 0
    return False


def _quality(parameters):
    """The q of a media range's parameters ("q=0.5; level=1" -> 0.5): 1 without one, 0 when it is not a number."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0

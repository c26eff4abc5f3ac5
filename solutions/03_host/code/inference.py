"""Where was this photo taken? The SageMaker MXNet serving contract: photo in, the most likely places out as JSON.

SageMaker's MXNet 1.9 inference container (Python 3.8, numpy < 1.20) calls, in order:
    model_fn(model_dir)              once, at start: load the model
    input_fn(body, content_type)     per request: bytes -> a checked photo
    predict_fn(data, model)          -> the k most likely cells
    output_fn(prediction, accept)    -> the JSON answer (see MAINTAINING.md, "Endpoint answer")
This folder (code/) is what the container imports: the modules beside this file check photos and requests and load
the other kinds of model. serve.py runs this same file on your laptop through the same handler service.
"""
import collections
import json
import os

import fetch
import int8
import locationnet
import mxnet as mx
import numpy as np
import photo
import request
import threads
from locator import Locator
from PIL import Image
from refusal import Refused
from request import JSON

from cells import read_cells

# Step 02 normalised its photos with these (ImageNet's per-channel statistics); serving must do the same.
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
IMAGE_TYPES = ("image/jpeg", "image/png", "application/x-image")

Photo = collections.namedtuple("Photo", "image k")
Prediction = collections.namedtuple("Prediction", "model top")


def model_fn(model_dir):
    """The Locator to serve: the int8 copy when quantize.py made one (its network only), else the original
    LocationNet's files, else step 02's model folder (load_model), its layers fused for the CPU."""
    threads.use_every_cpu()  # this worker answers with every vCPU of the container (threads.py)
    if int8.present(model_dir):
        return int8.load(model_dir).warm_up()
    fp32 = locationnet.load(model_dir) if locationnet.present(model_dir) else load_model(model_dir)
    return fp32.warm_up(fuse=True)


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
        return Photo(photo.open_photo(body), request.DEFAULT_K)
    if media_type == JSON:
        asked = request.read_json(body)
        return Photo(photo.open_photo(fetch.fetch(asked["url"], photo.MAX_BYTES)), asked["k"])
    raise Refused(
        415,
        "Content type {!r} is not served: send image/jpeg, image/png, application/x-image, "
        'or application/json {{"url": ...}}.'.format(content_type),
    )


def preprocess(image, resize, size, mean=MEAN, std=STD):
    """An RGB photo -> a (1, 3, size, size) batch: short side to `resize`, centre crop, 0..1, normalised, CHW."""
    # BEGIN SOLUTION 03.2
    width, height = image.size
    scale = float(resize) / min(width, height)
    resized = (max(resize, int(round(width * scale))), max(resize, int(round(height * scale))))
    # As step 01 resized the training photos: BOX (the mean of the pixels covered) to shrink, BICUBIC to enlarge.
    image = image.resize(resized, Image.BOX if scale < 1 else Image.BICUBIC)
    left, top = (resized[0] - size) // 2, (resized[1] - size) // 2
    pixels = np.asarray(image.crop((left, top, left + size, top + size)), dtype=np.float32)
    # Channels first, as one array in that order: each step below then runs along whole rows of one channel, in place.
    pixels = pixels.transpose(2, 0, 1).copy()
    pixels /= 255.0
    pixels -= np.array(mean, dtype=np.float32).reshape(3, 1, 1)
    pixels /= np.array(std, dtype=np.float32).reshape(3, 1, 1)
    return mx.nd.array(pixels[np.newaxis])
    # END SOLUTION


def predict_fn(data, model):
    """Decode the photo, preprocess it as training did, score every cell, keep the k most likely."""
    image = photo.decode(data.image, model.resize)
    batch = preprocess(image, model.resize, model.image_size, model.mean, model.std)
    probabilities = model(batch)[0].asnumpy()
    # BEGIN SOLUTION 03.3
    # Sorting all the cells to keep k costs a millisecond: take the k best out unsorted, then sort just those.
    best = np.argpartition(-probabilities, data.k - 1)[: data.k]
    best = best[np.argsort(-probabilities[best])]
    top = [(model.cells[index], float(probabilities[index])) for index in best]
    # END SOLUTION
    return Prediction(model.model_name, top)


def output_fn(prediction, accept):
    """Prediction -> (the JSON answer, its content type), best first."""
    if not request.accepts_json(accept):
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

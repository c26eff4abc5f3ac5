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
    raise NotImplementedError("TODO 03.1: load_model: the step-02 network, its cells and its input sizes, as a Locator")


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
    raise NotImplementedError("TODO 03.2: preprocess: short side to `resize`, centre crop of `size`, 0..1, minus mean, over std, CHW, a batch of one")


def predict_fn(data, model):
    """Decode the photo, preprocess it as training did, score every cell, keep the k most likely."""
    image = photo.decode(data.image, model.resize)
    batch = preprocess(image, model.resize, model.image_size, model.mean, model.std)
    probabilities = model(batch)[0].asnumpy()
    raise NotImplementedError("TODO 03.3: predict_fn: the k most probable cells, best first, as (cell, probability) pairs")
    return Prediction(model.model_name, top)


def output_fn(prediction, accept):
    """Prediction -> (the JSON answer, its content type), best first."""
    if not request.accepts_json(accept):
        raise Refused(406, "This endpoint answers application/json only: ask for that in the Accept header.")
    raise NotImplementedError("TODO 03.4: output_fn: the endpoint's JSON answer, {\"predictions\": [...], \"model\": name}")

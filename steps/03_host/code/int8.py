"""The int8 copy of a network that quantize.py leaves in a model folder, and its loader.

The copy carries its own input settings (model-int8-config.json), so serving it reads the int8 network and the cells
only: nothing of the fp32 network (LocationNet's is 300 MB), which would double the start's time and memory.
"""
import json
import os

import mxnet as mx
from locator import Locator, symbol_block

from cells import read_model_cells

PREFIX = "model-int8"
SYMBOL = PREFIX + "-symbol.json"
PARAMS = PREFIX + "-0000.params"
CONFIG = PREFIX + "-config.json"
FILES = (SYMBOL, PARAMS, CONFIG)


def present(model_dir):
    return all(os.path.exists(os.path.join(model_dir, name)) for name in FILES)


def load(model_dir):
    """The int8 Locator of `model_dir`: its network, its settings and the model's cells, not yet warmed up."""
    network = symbol_block(mx.sym.load(os.path.join(model_dir, SYMBOL)), os.path.join(model_dir, PARAMS))
    with open(os.path.join(model_dir, CONFIG)) as file:
        config = json.load(file)
    return Locator(network, read_model_cells(model_dir), config["resize"], config["image_size"], config["name"],
                   tuple(config["mean"]), tuple(config["std"]))


def write(network, locator, model_dir):
    """Save the int8 `network` of the fp32 `locator` into `model_dir`, with the settings load() needs."""
    network.export(os.path.join(model_dir, PREFIX), 0)
    config = {"resize": locator.resize, "image_size": locator.image_size, "name": locator.model_name + " (int8)",
              "mean": list(locator.mean), "std": list(locator.std)}
    with open(os.path.join(model_dir, CONFIG), "w") as file:
        json.dump(config, file)


def remove(model_dir):
    for name in FILES:
        if os.path.exists(os.path.join(model_dir, name)):
            os.remove(os.path.join(model_dir, name))

"""The original pretrained LocationNet (a ResNet-101 over 15,527 S2 cells), for those who have its files.

Its symbol ends in SoftmaxOutput, a training layer that wants a `softmax_label` input: serving takes the `fc1`
scores below it instead (Locator applies the softmax). It was trained on pixels 0..255 minus the ImageNet mean, and
it sees a centre square of the photo resized to 224 x 224. `make locationnet` (python -m workshop locationnet) puts the
files in build/locationnet/, with cells.tsv: the places of grids.txt's cells, named once, in step 01's format.
"""
import os

import mxnet as mx
from locator import Locator, symbol_block

from cells import read_model_cells

SYMBOL = "RN101-5k500-symbol.json"
PARAMS = "RN101-5k500-0012.params"
GRIDS = "grids.txt"
CELLS = "cells.tsv"  # the places of grids.txt's cells; without it they are named at start-up
SCORES = "fc1_output"
IMAGE_SIZE = 224
MEAN = (123.68 / 255, 116.779 / 255, 103.939 / 255)
STD = (1 / 255.0, 1 / 255.0, 1 / 255.0)


def present(model_dir):
    return os.path.exists(os.path.join(model_dir, SYMBOL))


def load(model_dir):
    return Locator(load_network(model_dir), read_model_cells(model_dir), IMAGE_SIZE, IMAGE_SIZE, "LocationNet RN101-5k500", MEAN, STD)


def load_network(model_dir):
    """The network up to fc1's scores (no SoftmaxOutput), with its parameters."""
    scores = mx.sym.load(os.path.join(model_dir, SYMBOL)).get_internals()[SCORES]
    return symbol_block(scores, os.path.join(model_dir, PARAMS))

"""The int8 copy of a network that quantize.py leaves in a model folder, and its loader."""
import os

import mxnet as mx

PREFIX = "model-int8"
SYMBOL = PREFIX + "-symbol.json"
PARAMS = PREFIX + "-0000.params"


def present(model_dir):
    return os.path.exists(os.path.join(model_dir, SYMBOL))


def load(model_dir):
    return mx.gluon.SymbolBlock.imports(os.path.join(model_dir, SYMBOL), ["data"], os.path.join(model_dir, PARAMS))

"""Fold each batch norm into the convolution before it, so that the int8 copy (quantize.py) starts sooner.

When serving, a BatchNorm is a fixed scale and shift per channel, so the convolution before it can do its work:
    scale = gamma / sqrt(running_var + eps)
    weight' = weight * scale (per output channel),   bias' = beta + (bias - running_mean) * scale
MXNet's MKLDNN convolution makes that fold itself on its first run, in a fresh copy of every weight: on LocationNet
(ResNet-101, 170 MB of convolution weights) that was about a quarter of the int8 copy's start. Folded here, once,
the copy is written without batch norms and starts without that step. The answers are the same to float32 rounding.

Only a BatchNorm over the channels (axis 1) whose input is a Convolution that nothing else uses is folded; every
other node is rebuilt as it was.
"""
import collections
import json
import os
import sys
import tempfile
from pathlib import Path

import mxnet as mx
import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE / "code") not in sys.path:
    sys.path.insert(0, str(HERE / "code"))  # the container's modules: code/, as SageMaker lays out model.tar.gz

from locator import symbol_block  # noqa: E402


def fold_batch_norms(network):
    """A SymbolBlock on input `data` that answers as `network` (a hybridizable Block) does, its batch norms folded."""
    values = {name: param.data().asnumpy() for name, param in network.collect_params().items()}
    graph = json.loads(network(mx.sym.var("data")).tojson())
    nodes = graph["nodes"]
    uses = collections.Counter(index for node in nodes for index, _, _ in node["inputs"])
    uses.update(index for index, _, _ in graph["heads"])
    built = []  # each node's symbol, in the graph's order (inputs come first)
    for node in nodes:
        if node["op"] == "null":
            built.append(mx.sym.var(node["name"]))
        elif foldable(node, nodes, uses):
            built.append(folded_convolution(node, nodes, built, values))
        else:
            inputs = [built[index][output] for index, output, _ in node["inputs"]]
            built.append(rebuilt(node, inputs))
    heads = [built[index][output] for index, output, _ in graph["heads"]]
    folded = heads[0] if len(heads) == 1 else mx.sym.Group(heads)
    with tempfile.TemporaryDirectory() as folder:  # as MXNet's own quantize_net_v2 makes its SymbolBlock
        params = os.path.join(folder, "folded.params")
        kept = [("arg:", name) for name in folded.list_arguments() if name != "data"]
        kept += [("aux:", name) for name in folded.list_auxiliary_states()]  # a batch norm left as it was
        mx.nd.save(params, {kind + name: mx.nd.array(values[name], dtype=values[name].dtype) for kind, name in kept})
        return symbol_block(folded, params)


def foldable(node, nodes, uses):
    if node["op"] != "BatchNorm" or node.get("attrs", {}).get("axis", "1") != "1":
        return False
    before = node["inputs"][0][0]
    if nodes[before]["op"] != "Convolution" or uses[before] != 1:
        return False
    return all(uses[index] == 1 for index, _, _ in nodes[before]["inputs"][1:])  # its weight and bias, its own


def folded_convolution(batch_norm, nodes, built, values):
    """The Convolution before `batch_norm` with the batch norm in its weight and bias; `values` gets them."""
    convolution = nodes[batch_norm["inputs"][0][0]]
    attrs = batch_norm.get("attrs", {})
    gamma, beta, mean, var = (values[nodes[index]["name"]] for index, _, _ in batch_norm["inputs"][1:])
    if attrs.get("fix_gamma", "True").lower() in ("true", "1"):  # MXNet's default: gamma is held at 1
        gamma = np.ones_like(gamma)
    scale = gamma / np.sqrt(var + float(attrs.get("eps", "0.001")))
    weight = nodes[convolution["inputs"][1][0]]["name"]
    has_bias = len(convolution["inputs"]) > 2
    bias = nodes[convolution["inputs"][2][0]]["name"] if has_bias else convolution["name"] + "_folded_bias"
    old_bias = values[bias] if has_bias else 0.0
    values[weight] = values[weight] * scale.reshape((-1,) + (1,) * (values[weight].ndim - 1))
    values[bias] = (beta + (old_bias - mean) * scale).astype(values[weight].dtype)
    data, weight_input = (built[index][output] for index, output, _ in convolution["inputs"][:2])
    return mx.sym.Convolution(data, weight_input, mx.sym.var(bias), name=convolution["name"],
                              **dict(convolution["attrs"], no_bias="False"))


def rebuilt(node, inputs):
    """The symbol of an operator node as it was: its parameters, and its "__...__" attributes apart."""
    attrs = node.get("attrs", {})
    params = {key: value for key, value in attrs.items() if not key.startswith("__")}
    attributes = {key: value for key, value in attrs.items() if key.startswith("__")}
    # MXNet's symbol function for the operator: Convolution, elemwise_add, ... or an internal one such as _plus_scalar
    create = getattr(mx.sym.op, node["op"], None) or getattr(mx.sym._internal, node["op"])
    return create(*inputs, name=node["name"], attr=attributes or None, **params)

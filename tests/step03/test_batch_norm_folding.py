"""batch_norm_folding.py: the int8 copy is made from a network whose batch norms live in its convolutions, so that
serving it skips MKLDNN's fold at start; the folded network answers as the original does."""
import json

import mxnet as mx
import numpy as np
import pytest
from mxnet.gluon import nn


def ops(network):
    return [node["op"] for node in json.loads(network(mx.sym.var("data")).tojson())["nodes"]]


def same_answers(original, folded, size):
    batch = mx.nd.random.uniform(shape=(2, 3, size, size), dtype="float32")
    expected, answered = original(batch).asnumpy(), folded(batch).asnumpy()
    np.testing.assert_allclose(answered, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


def with_running_statistics(network, seed=0):
    """Batch norms that do something: random gammas, betas, running means and variances."""
    random = np.random.RandomState(seed)
    network.initialize(mx.init.Xavier())
    network(mx.nd.zeros((1, 3, 16, 16)))
    for name, param in network.collect_params().items():
        shape = param.shape
        if name.endswith(("gamma", "running_var")):
            param.set_data(mx.nd.array(random.uniform(0.5, 2.0, shape)))
        elif name.endswith(("beta", "running_mean", "bias")):
            param.set_data(mx.nd.array(random.uniform(-1.0, 1.0, shape)))
    network.hybridize()
    return network


def test_folding_keeps_the_answers_and_leaves_no_batch_norm(host, model_dir):
    original = host("quantize").read_locator(model_dir).network  # step 02's model, as quantize.py reads it
    assert "BatchNorm" in ops(original)
    folded = host("batch_norm_folding").fold_batch_norms(original)
    assert "BatchNorm" not in ops(folded), "every batch norm after a convolution is folded into it"
    same_answers(original, folded, 64)


def test_a_resnet_like_locationnets_is_folded_whole(host):
    """LocationNet is a ResNet v1 (resnetv10_*): 104 convolutions, each with its batch norm."""
    network = with_running_statistics(mx.gluon.model_zoo.vision.resnet18_v1(classes=7))
    folded = host("batch_norm_folding").fold_batch_norms(network)
    assert "BatchNorm" not in ops(folded) and ops(folded).count("Convolution") == ops(network).count("Convolution")
    same_answers(network, folded, 32)


@pytest.mark.parametrize("scale", [True, False], ids=["learned gamma", "fix_gamma: gamma held at 1"])
def test_a_batch_norm_is_folded_with_its_own_settings(host, scale):
    network = nn.HybridSequential()
    network.add(nn.Conv2D(8, 3, use_bias=False), nn.BatchNorm(epsilon=0.3, scale=scale), nn.Activation("relu"),
                nn.Conv2D(4, 3, use_bias=True), nn.BatchNorm(), nn.GlobalAvgPool2D(), nn.Dense(5))
    network = with_running_statistics(network)
    folded = host("batch_norm_folding").fold_batch_norms(network)
    assert "BatchNorm" not in ops(folded)
    same_answers(network, folded, 16)


def test_what_cannot_be_folded_is_kept_as_it_was(host):
    """A batch norm after something other than a convolution, and one after a convolution whose output is also used
    elsewhere, stay batch norms."""

    class Shared(nn.HybridBlock):
        def __init__(self):
            super().__init__()
            self.convolution, self.norm, self.after_pooling = nn.Conv2D(6, 3, padding=1, use_bias=False), \
                nn.BatchNorm(), nn.BatchNorm()
            self.pool = nn.MaxPool2D(1)

        def hybrid_forward(self, F, x):
            y = self.convolution(x)
            return F.elemwise_add(self.norm(y), y) + self.after_pooling(self.pool(y))

    network = with_running_statistics(Shared())
    folded = host("batch_norm_folding").fold_batch_norms(network)
    assert ops(folded).count("BatchNorm") == 2
    same_answers(network, folded, 16)

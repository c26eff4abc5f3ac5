"""network.py: a model-zoo network (or our narrow ResNet) with a fresh output layer of one score per cell."""
import mxnet as mx
import pytest


@pytest.fixture(scope="module")
def network(load):
    return load("02_train", "network")


@pytest.mark.parametrize("name", ["resnet10_v1_narrow", "resnet18_v1"])
def test_output_layer_has_one_score_per_cell(network, name):
    net = network.build_network(name, 7, 0, [mx.cpu()])
    scores = net(mx.nd.random.uniform(shape=(2, 3, 32, 32)))
    assert scores.shape == (2, 7), (
        f"{name} for 7 cells should give 7 scores a photo, not {scores.shape[1]}: replace net.output with a new "
        "Dense layer of `classes` units and initialize it"
    )


def test_network_is_hybridized_so_it_can_be_exported(network, tmp_path):
    net = network.build_network(network.DEFAULT_NETWORK, 3, 0, [mx.cpu()])
    net(mx.nd.zeros((1, 3, 32, 32)))
    net.export(str(tmp_path / "model"), 0)
    assert (tmp_path / "model-symbol.json").is_file() and (tmp_path / "model-0000.params").is_file()

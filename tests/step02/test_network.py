"""network.py: a model-zoo network (or our narrow ResNet) with a fresh output layer of one score per cell."""
import mxnet as mx
import numpy as np
import pytest
from mxnet.gluon.model_zoo import model_store, vision


@pytest.fixture(scope="module")
def network(load):
    return load("02_train", "network")


def scores_of(net, photos):
    """The network's scores for `photos`, or a failure that says which layer is not initialized."""
    try:
        return net(photos)
    except RuntimeError as error:  # Gluon: "Parameter '...' has not been initialized"
        if "has not been initialized" not in str(error):
            raise
    pytest.fail("the new output layer has no weights yet: initialize it (net.output.initialize(...)) once it is in")


@pytest.mark.todo("02.1")
@pytest.mark.parametrize("name", ["resnet10_v1_narrow", "resnet18_v1"])
def test_output_layer_has_one_score_per_cell(network, name):
    net = network.build_network(name, 7, 0, [mx.cpu()])
    scores = scores_of(net, mx.nd.random.uniform(shape=(2, 3, 32, 32)))
    assert scores.shape == (2, 7), (
        f"{name} for 7 cells should give 7 scores a photo, not {scores.shape[1]}: replace net.output with a new "
        "Dense layer of `classes` units and initialize it"
    )


@pytest.mark.todo("02.1")
def test_the_new_layer_lives_on_the_contexts_it_was_given(network):
    # A second CPU context tells contexts apart on a machine without GPUs: cpu(1) is not cpu(0), MXNet's default.
    net = network.build_network(network.DEFAULT_NETWORK, 7, 0, [mx.cpu(1)])
    elsewhere = {name: param.list_ctx() for name, param in net.collect_params().items()
                 if param.list_ctx() != [mx.cpu(1)]}
    assert not elsewhere, (
        f"{', '.join(elsewhere)} live on {list(elsewhere.values())[0]}, not on the contexts build_network was given "
        "([cpu(1)] here; GPUs on SageMaker): initialize the new output layer with ctx=ctx"
    )
    assert scores_of(net, mx.nd.zeros((1, 3, 32, 32), ctx=mx.cpu(1))).shape == (1, 7)


@pytest.mark.todo("02.1")
def test_the_new_layer_lives_on_every_context_of_the_list(network):
    # ctx is a list: one context a GPU on SageMaker. Two CPU contexts stand in for two GPUs here.
    contexts = [mx.cpu(0), mx.cpu(1)]
    net = network.build_network(network.DEFAULT_NETWORK, 7, 0, contexts)
    missing = {name: param.list_ctx() for name, param in net.collect_params().items()
               if set(param.list_ctx()) != set(contexts)}
    assert not missing, (
        f"{', '.join(missing)} live on {list(missing.values())[0]}, not on every context of {contexts}: ctx is a "
        "list (a GPU each on SageMaker); initialize the new output layer with ctx=ctx, the whole list"
    )


@pytest.mark.todo("02.1")
def test_output_layer_gives_raw_scores(network):
    mx.random.seed(0)
    net = network.build_network(network.DEFAULT_NETWORK, 7, 0, [mx.cpu()])
    scores = scores_of(net, mx.nd.random.uniform(shape=(4, 3, 32, 32))).asnumpy()
    assert (scores < 0).any(), (
        "every score is >= 0: the output layer gives raw scores, with no activation (the loss applies the softmax)"
    )


@pytest.mark.todo("02.1")
def test_pretrained_weights_are_kept(network, monkeypatch, tmp_path):
    # The model zoo downloads a network's ImageNet weights on first use; here they come from a file made below.
    zoo = vision.get_model("mobilenet0.25")
    zoo.initialize(mx.init.Uniform(1.0))
    zoo(mx.nd.zeros((1, 3, 32, 32)))
    zoo.save_parameters(str(tmp_path / "imagenet.params"))
    monkeypatch.setattr(model_store, "get_model_file", lambda name, **where: str(tmp_path / "imagenet.params"))

    net = network.build_network("mobilenet0.25", 7, 1, [mx.cpu()])
    assert scores_of(net, mx.nd.zeros((1, 3, 32, 32))).shape == (1, 7), "a pretrained network also needs 7 scores"
    net.save_parameters(str(tmp_path / "built.params"))
    pretrained, built = mx.nd.load(str(tmp_path / "imagenet.params")), mx.nd.load(str(tmp_path / "built.params"))
    changed = [
        name for name in pretrained
        if not name.startswith("output.") and not np.array_equal(pretrained[name].asnumpy(), built[name].asnumpy())
    ]
    assert not changed, (
        f"{len(changed)} pretrained parameters lost their ImageNet weights ({', '.join(changed[:3])}, ...): "
        "initialize only the new output layer (net.output.initialize(...)), never the whole network again"
    )


def test_network_is_hybridized_so_it_can_be_exported(network, tmp_path):
    net = network.build_network(network.DEFAULT_NETWORK, 3, 0, [mx.cpu()])
    net(mx.nd.zeros((1, 3, 32, 32)))
    net.export(str(tmp_path / "model"), 0)
    assert (tmp_path / "model-symbol.json").is_file() and (tmp_path / "model-0000.params").is_file()

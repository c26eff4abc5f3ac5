"""What model_fn returns: a network that scores cells, and what serving needs beside it.

It is a Gluon Block because the SageMaker MXNet handler service accepts only a Block or a Module from model_fn.
"""
import warnings

import mxnet as mx

# SymbolBlock.imports (load_model's) declares no type for the input `data` when it loads saved parameters, and MXNet
# then warns "Cannot decide type ... data: None" before it takes the saved types, which are right: nothing to act on.
warnings.filterwarnings("ignore", "Cannot decide type for the following arguments", UserWarning, "mxnet.gluon.block")


def symbol_block(symbol, params_file):
    """The SymbolBlock of `symbol` on a float32 input `data`, with its saved parameters (int8 ones stay int8; those
    the symbol does not use, such as a training head's, are left out). Serving never trains: without grad_req
    "null", Gluon would give every parameter a gradient of its size, zeroed (LocationNet: 300 MB more, a fifth of
    the start)."""
    network = mx.gluon.SymbolBlock(symbol, mx.sym.var("data", dtype="float32"))
    network.collect_params().setattr("grad_req", "null")
    network.collect_params().load(params_file, ctx=mx.cpu(), ignore_extra=True, cast_dtype=True, dtype_source="saved")
    return network


class Locator(mx.gluon.Block):
    def __init__(self, network, cells, resize, image_size, name, mean, std):
        super().__init__()
        self.network = network
        self.cells = cells
        self.resize = resize
        self.image_size = image_size
        self.model_name = name
        self.mean = mean
        self.std = std

    def with_network(self, network, name):
        """The same cells and input settings on another network (e.g. its int8 copy)."""
        return Locator(network, self.cells, self.resize, self.image_size, name, self.mean, self.std)

    def warm_up(self, fuse=False):
        """Build the graph now rather than on the first request. fuse=True lets MKLDNN fuse layers first (a
        convolution, its batch norm and its ReLU become one), which a CPU runs faster."""
        batch = mx.nd.zeros((1, 3, self.image_size, self.image_size))
        if fuse:
            self.network.optimize_for(batch, backend="MKLDNN", static_alloc=True, static_shape=True)
        else:
            self.network.hybridize(static_alloc=True, static_shape=True)
        self(batch).wait_to_read()
        return self

    def forward(self, batch):
        """(N, 3, S, S) normalised photos -> (N, K) probabilities."""
        return mx.nd.softmax(self.network(batch))

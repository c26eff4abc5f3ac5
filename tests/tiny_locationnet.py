"""LocationNet's file format on a tiny network, for the tests: the same symbol ending, names and epoch."""
from pathlib import Path

GRIDS = [  # token, lat, lng: line i is class i
    ("47e66c", 48.8566, 2.3522),
    ("6018b", 35.6762, 139.6503),
    ("9105c", -12.0464, -77.0428),
    ("1dcc5", -33.9249, 18.4241),
]


def write_locationnet(folder, grids=GRIDS, with_grids=True):
    """A small conv net in LocationNet's format: ... -> fc1 -> SoftmaxOutput(softmax_label), saved at epoch 12,
    with one class per row of `grids` (and grids.txt, unless with_grids=False)."""
    import mxnet as mx

    data = mx.sym.var("data")
    body = mx.sym.Activation(mx.sym.Convolution(data, num_filter=8, kernel=(3, 3), stride=(4, 4), name="conv0"), "relu")
    pooled = mx.sym.Flatten(mx.sym.Pooling(body, global_pool=True, pool_type="avg", kernel=(1, 1)))
    symbol = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(pooled, num_hidden=len(grids), name="fc1"), name="softmax")
    module = mx.mod.Module(symbol, data_names=["data"], label_names=["softmax_label"])
    module.bind(data_shapes=[("data", (1, 3, 224, 224))], label_shapes=[("softmax_label", (1,))])
    module.init_params(mx.init.Xavier(magnitude=3))
    module.save_checkpoint(str(Path(folder) / "RN101-5k500"), 12)
    if with_grids:
        (Path(folder) / "grids.txt").write_text("".join(f"{t}\t{lat}\t{lng}\n" for t, lat, lng in grids))
    return folder

"""locationnet.py: the original LocationNet files (symbol ending in SoftmaxOutput, params, grids.txt) still serve."""
import io
import json

import numpy as np
import pytest

GRIDS = [  # token, lat, lng: line i is class i
    ("47e66c", 48.8566, 2.3522),
    ("6018b", 35.6762, 139.6503),
    ("9105c", -12.0464, -77.0428),
    ("1dcc5", -33.9249, 18.4241),
]


@pytest.fixture(scope="module")
def locationnet_dir(tmp_path_factory):
    """A small conv net in LocationNet's format: ... -> fc1 -> SoftmaxOutput(softmax_label), saved at epoch 12."""
    import mxnet as mx

    folder = tmp_path_factory.mktemp("locationnet")
    data = mx.sym.var("data")
    body = mx.sym.Activation(mx.sym.Convolution(data, num_filter=8, kernel=(3, 3), stride=(4, 4), name="conv0"), "relu")
    pooled = mx.sym.Flatten(mx.sym.Pooling(body, global_pool=True, pool_type="avg", kernel=(1, 1)))
    symbol = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(pooled, num_hidden=len(GRIDS), name="fc1"), name="softmax")
    module = mx.mod.Module(symbol, data_names=["data"], label_names=["softmax_label"])
    module.bind(data_shapes=[("data", (1, 3, 224, 224))], label_shapes=[("softmax_label", (1,))])
    module.init_params(mx.init.Xavier(magnitude=3))
    module.save_checkpoint(str(folder / "RN101-5k500"), 12)
    (folder / "grids.txt").write_text("".join(f"{t}\t{lat}\t{lng}\n" for t, lat, lng in GRIDS))
    return str(folder)


@pytest.fixture(scope="module")
def locationnet(host, locationnet_dir):
    return host("inference").model_fn(locationnet_dir)


def test_model_fn_recognises_locationnet_files(locationnet):
    assert locationnet.model_name.startswith("LocationNet"), "a folder with RN101-5k500-symbol.json is LocationNet"
    assert (locationnet.resize, locationnet.image_size) == (224, 224)
    assert [cell["token"] for cell in locationnet.cells] == [token for token, _, _ in GRIDS], "line i is class i"


def test_grid_cells_are_named_by_the_offline_geocoder(locationnet):
    paris, tokyo = locationnet.cells[0], locationnet.cells[1]
    assert (paris["place"], paris["country_code"]) == ("Paris", "FR")
    assert tokyo["country_code"] == "JP" and paris["lat"] == pytest.approx(48.8566)


def test_probabilities_are_the_original_softmax_output(locationnet, locationnet_dir):
    import mxnet as mx

    symbol, arguments, auxiliaries = mx.model.load_checkpoint(f"{locationnet_dir}/RN101-5k500", 12)
    original = mx.mod.Module(symbol, context=mx.cpu())  # as WhereML's predict.py bound it
    original.bind([("data", (1, 3, 224, 224))], for_training=False)
    original.set_params(arguments, auxiliaries, allow_missing=True)
    batch = mx.nd.random.uniform(-120, 130, shape=(1, 3, 224, 224))
    original.forward(mx.io.DataBatch([batch]), is_train=False)
    expected = original.get_outputs()[0].asnumpy()
    assert np.allclose(locationnet(batch).asnumpy(), expected, atol=1e-5), "take fc1's scores, apply softmax"


def test_locationnet_input_is_pixels_minus_the_imagenet_mean(host):
    from PIL import Image

    inference, locationnet = host("inference"), host("locationnet")
    white = Image.new("RGB", (300, 224), (255, 255, 255))
    batch = inference.preprocess(white, 224, 224, locationnet.MEAN, locationnet.STD)
    assert batch[0, :, 100, 100].asnumpy() == pytest.approx([255 - 123.68, 255 - 116.779, 255 - 103.939], abs=0.01)


def test_a_photo_gets_a_locationnet_answer(host, locationnet):
    from PIL import Image

    inference = host("inference")
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(buffer, "JPEG")
    prediction = inference.predict_fn(inference.input_fn(buffer.getvalue(), "image/jpeg"), locationnet)
    text, _ = inference.output_fn(prediction, "*/*")
    answer = json.loads(text)
    assert answer["model"] == locationnet.model_name and len(answer["predictions"]) == 3
    assert {guess["cell"] for guess in answer["predictions"]} <= {token for token, _, _ in GRIDS}

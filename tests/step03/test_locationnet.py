"""locationnet.py: the original LocationNet files (symbol ending in SoftmaxOutput, params, grids.txt) still serve."""
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from tiny_locationnet import GRIDS


@pytest.fixture(scope="module")
def locationnet(host, locationnet_dir):
    return host("inference").model_fn(locationnet_dir)


def test_model_fn_recognises_locationnet_files(locationnet):
    assert locationnet.model_name.startswith("LocationNet"), "a folder with RN101-5k500-symbol.json is LocationNet"
    assert (locationnet.resize, locationnet.image_size) == (224, 224)
    assert [cell["token"] for cell in locationnet.cells] == [token for token, _, _ in GRIDS], "line i is class i"


def test_locationnet_is_served_without_gradients(locationnet):
    """Serving never trains: LocationNet's 300 MB of weights would get 300 MB of zeroed gradients beside them."""
    assert {param.grad_req for param in locationnet.network.collect_params().values()} == {"null"}


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


@pytest.mark.parametrize("kind", ["step-02 model", "LocationNet"])
def test_loading_a_model_prints_no_warning_nobody_can_act_on(tree, model_dir, locationnet_dir, kind):
    """MXNet's "UserWarning: Cannot decide type ... data: None" reached the terminal of serve, evaluate and `make
    locationnet`: the model is loaded so that it does not (the run shows every warning, -W default)."""
    folder = model_dir if kind == "step-02 model" else locationnet_dir
    code = "import sys, inference; inference.model_fn(sys.argv[1])"
    done = subprocess.run([sys.executable, "-W", "default", "-c", code, folder], cwd=tree / "03_host" / "code",
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Cannot decide type" not in done.stderr, done.stderr

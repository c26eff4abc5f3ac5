"""Step 03 on this CPU: one photo's latency through our handler versus the original WhereML path, LocationNet-size.

    python -m workshop bench step03_latency

The model is LocationNet's shape (a ResNet-101 body, 15,527 cells, 224 x 224 input) with random weights, saved in
LocationNet's own format. Both paths use the same weights and the same JPEG photos (640 x 480 and 2048 x 1536), in the same run:
- original: WhereML's predict.py (2018): a bound mx.mod.Module, PIL decode, centre square, skimage's resize with
  anti-aliasing (re-implemented below with scipy, as skimage.transform.resize does it), pixels x 256 minus the mean;
- ours: inference.py's input_fn -> predict_fn -> output_fn (Pillow JPEG draft decoding, a hybridized network), in
  fp32 (plain, and with MKLDNN's fused layers, which model_fn serves when there is no int8 copy) and on the int8 copy
  quantize.py makes (MKLDNN, naive calibration on the 6 photos).
Every path runs on all this machine's cores (OMP_NUM_THREADS), as deploy.py's serving environment sets it.
"""
import io
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

from workshop.paths import ROOT

warnings.filterwarnings("ignore")
os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count()))  # before MXNet starts its threads

import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402
from mxnet.gluon.model_zoo import vision  # noqa: E402
from PIL import Image  # noqa: E402
from scipy import ndimage  # noqa: E402

from workshop import checkpoint, loader  # noqa: E402

STEP = ROOT / "solutions" / "03_host"
inference = loader.load(STEP, "inference")
quantize = loader.load(STEP, "quantize")

CELLS = 15527
SIZE = 224
PHOTOS = 6
ROUNDS = 20
SIZES = [(640, 480), (2048, 1536)]
MEAN_RGB = np.array([123.68, 116.779, 103.939]).reshape((3, 1, 1))  # the original predict.py's
LOCATIONNET_NORMALISATION = (inference.locationnet.MEAN, inference.locationnet.STD)


def locationnet_files(folder):
    """A ResNet-101 -> fc1 (15,527) -> SoftmaxOutput symbol and its params, saved as RN101-5k500 epoch 12."""
    net = vision.resnet101_v1(classes=CELLS)
    net.initialize(mx.init.Xavier())
    net(mx.nd.zeros((1, 3, SIZE, SIZE)))
    body = mx.sym.Flatten(net.features(mx.sym.var("data")))
    symbol = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(body, num_hidden=CELLS, name="fc1"), name="softmax")
    values = {name: param.data() for name, param in net.features.collect_params().items()}
    values["fc1_weight"], values["fc1_bias"] = net.output.weight.data(), net.output.bias.data()
    auxiliary = set(symbol.list_auxiliary_states())
    arguments = {name: value for name, value in values.items() if name not in auxiliary}
    mx.model.save_checkpoint(str(folder / "RN101-5k500"), 12, symbol, arguments, {n: values[n] for n in auxiliary})
    rng = np.random.RandomState(0)
    with open(folder / "grids.txt", "w") as grids:
        for index in range(CELLS):
            grids.write(f"{index:x}\t{rng.uniform(-55, 70):.4f}\t{rng.uniform(-180, 180):.4f}\n")


def photos(width, height):
    """Smooth, photo-like JPEGs of width x height (quality 90)."""
    rng = np.random.RandomState(1)
    made = []
    for _ in range(PHOTOS):
        coarse = rng.rand(height // 32, width // 32, 3)
        pixels = ndimage.zoom(coarse, (32, 32, 1), order=3) * 255 + rng.normal(0, 6, (height, width, 3))
        buffer = io.BytesIO()
        Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=90)
        made.append(buffer.getvalue())
    return made


def skimage_resize(image, output_shape):
    """skimage.transform.resize(image, output_shape) for uint8 input, with its defaults (order 1, mode 'reflect',
    anti-aliasing when shrinking): a Gaussian of sigma (factor - 1) / 2, then scipy's zoom, as skimage 0.19+ does."""
    output_shape = tuple(output_shape) + image.shape[len(output_shape):]
    factors = np.divide(image.shape, output_shape)
    image = image.astype(np.float64) / 255.0
    filtered = ndimage.gaussian_filter(image, np.maximum(0, (factors - 1) / 2), cval=0, mode="mirror")
    out = ndimage.zoom(filtered, [1 / f for f in factors], order=1, mode="mirror", cval=0, grid_mode=True)
    return np.clip(out, image.min(), image.max())


class Original:
    """WhereML's predict.py: load_checkpoint, a bound Module, skimage-style preprocessing, argsort of the softmax."""

    def __init__(self, folder):
        symbol, arguments, auxiliaries = mx.model.load_checkpoint(str(folder / "RN101-5k500"), 12)
        self.module = mx.mod.Module(symbol=symbol, context=mx.cpu())
        self.module.bind([("data", (1, 3, SIZE, SIZE))], for_training=False)
        self.module.set_params(arguments, auxiliaries, allow_missing=True)
        with open(folder / "grids.txt") as grids:
            self.grids = [(float(lat), float(lng)) for _, lat, lng in (line.split() for line in grids)]

    @staticmethod
    def preprocess(jpeg):
        image = np.array(Image.open(io.BytesIO(jpeg)))
        short = min(image.shape[:2])
        top, left = (image.shape[0] - short) // 2, (image.shape[1] - short) // 2
        sample = skimage_resize(image[top:top + short, left:left + short], (SIZE, SIZE)) * 256
        sample = np.swapaxes(np.swapaxes(sample, 0, 2), 1, 2) - MEAN_RGB
        return mx.nd.array(sample.reshape((1, 3, SIZE, SIZE)))

    def __call__(self, jpeg, k=3):
        self.module.forward(mx.io.DataBatch([self.preprocess(jpeg)]), is_train=False)
        probabilities = self.module.get_outputs()[0].asnumpy()[0]
        best = np.argsort(probabilities)[::-1][:k]
        return [(self.grids[int(index)], str(probabilities[index])) for index in best]


def ours(locator):
    def answer(jpeg):
        return inference.output_fn(inference.predict_fn(inference.input_fn(jpeg, "image/jpeg"), locator), "*/*")

    return answer


def our_preprocess(jpeg):
    image = inference.photo.decode(inference.input_fn(jpeg, "image/jpeg").image, SIZE)
    return inference.preprocess(image, SIZE, SIZE, *LOCATIONNET_NORMALISATION)


def latencies(paths, jpegs):
    """{name: (p50, p95) milliseconds} of each path, timed in turns on the same photo so load drift hits all alike."""
    for answer in paths.values():
        for jpeg in jpegs:
            answer(jpeg)  # warm-up
    times = {name: [] for name in paths}
    for index in range(ROUNDS):
        for name, answer in paths.items():
            started = time.perf_counter()
            answer(jpegs[index % len(jpegs)])
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: (np.percentile(t, 50), np.percentile(t, 95)) for name, t in times.items()}


def checkpoint_agreement():
    """quantize.py's check on the step-02 checkpoint model: best guesses shared by int8 and fp32 on val photos."""
    model, data = checkpoint.ensure("model"), checkpoint.ensure("data")
    original = quantize.read_locator(str(model)).warm_up()
    batches = quantize.val_batches(str(data), original, 200)
    network = quantize.quantize(original.network, batches[:quantize.CALIBRATION_PHOTOS])
    copy = original.with_network(network, "int8").warm_up()
    return quantize.agreement(original, copy, batches), len(batches)


def main():
    folder = Path(tempfile.mkdtemp(prefix="locationnet-"))
    tables = []
    try:
        locationnet_files(folder)
        params_mb = os.path.getsize(folder / "RN101-5k500-0012.params") / 1e6
        fp32 = quantize.read_locator(str(folder)).warm_up()
        fused = inference.model_fn(str(folder))  # no int8 copy in the folder: the fused fp32 network
        int8_network = quantize.quantize(fp32.network, [our_preprocess(jpeg) for jpeg in photos(*SIZES[0])])
        int8 = fp32.with_network(int8_network, "int8").warm_up()
        int8_network.export(str(folder / "int8"), 0)
        int8_mb = os.path.getsize(folder / "int8-0000.params") / 1e6
        original = Original(folder)
        for width, height in SIZES:
            jpegs = photos(width, height)
            total = latencies(
                {"original": original, "fp32": ours(fp32), "fused": ours(fused), "int8": ours(int8)}, jpegs
            )
            prepare = latencies({"original": original.preprocess, "ours": our_preprocess}, jpegs)
            tables.append(((width, height), [
                ("original WhereML path (Module, skimage resize)", total["original"], prepare["original"]),
                ("ours, fp32 (inference.py handlers)", total["fp32"], prepare["ours"]),
                ("ours, fp32 with MKLDNN fused layers (model_fn without int8)", total["fused"], prepare["ours"]),
                ("ours, int8 (quantize.py's copy)", total["int8"], prepare["ours"]),
            ]))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    agree, photos_checked = checkpoint_agreement()
    print("### Step 03: one photo's latency, LocationNet-size model (ResNet-101, 15,527 cells, 224 x 224)\n")
    for (width, height), rows in tables:
        base = rows[0][1][0]
        print(f"{width} x {height} JPEGs:\n")
        print("| path | p50 ms | p95 ms | p50 vs original | of which decode + preprocess, p50 ms |")
        print("| --- | --- | --- | --- | --- |")
        for name, (p50, p95), (decoding, _) in rows:
            print(f"| {name} | {p50:.0f} | {p95:.0f} | {p50 / base:.2f}x | {decoding:.1f} |")
        print()
    print("{} JPEGs of each size, {} timed calls each (the paths take turns), same weights, same run, {} threads: "
          "decode, preprocess, network, top-3, JSON. The talk claimed < 100 ms a photo on a t2.large (2 vCPUs, like this "
          "machine). Goal: int8 at most 0.45x the original's p50 at both sizes.".format(PHOTOS, ROUNDS, os.environ["OMP_NUM_THREADS"]))
    print(f"Model size: params file {params_mb:.0f} MB fp32, {int8_mb:.0f} MB int8 (the classifier's weights are stored as int8; the "
          "convolutions keep fp32 weights, which MKLDNN quantizes when it loads them). int8 and fp32 make the same "
          f"best guess on {agree:.1%} of {photos_checked} validation photos of the step-02 checkpoint model.")


if __name__ == "__main__":
    main()

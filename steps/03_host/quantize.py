"""Make an int8 copy of a model's network for faster CPU answers, and keep it only if it answers like the original.

    python quantize.py --model-dir build/model --data build/data

MKLDNN int8 with naive calibration: the activation ranges that a few validation photos produce fix each layer's int8
scale. Every layer is quantized ("full"): MXNet's default ("smart") keeps the first convolution in fp32, and converting
between the two on every request made the copy about a third slower on LocationNet (ResNet-101). The copy (model-int8-symbol.json + model-int8-0000.params, beside the network) is written only when its best
guess matches the original's on at least --min-agreement of the validation photos; model_fn then serves it.
"""
import argparse
import os
import sys
import warnings

import mxnet as mx
from mxnet.contrib.quantization import quantize_net_v2

import inference
import int8
import photo

CALIBRATION_PHOTOS = 32  # 8 left the toy model's int8 copy agreeing on ~94% of best guesses, 32 on ~98%


def quantize(network, batches):
    """An int8 copy of `network` calibrated on `batches` ((1, 3, S, S) arrays, preprocessed as for serving)."""
    calibration = mx.io.NDArrayIter(mx.nd.concat(*batches, dim=0), batch_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MXNet warns that symbols without declared types cannot be inferred
        return quantize_net_v2(
            network,
            quantized_dtype="auto",
            quantize_mode="full",
            calib_mode="naive",
            calib_data=calibration,
            num_calib_examples=len(batches),
            ctx=mx.cpu(),
        )


def agreement(original, copy, batches):
    """The share of `batches` on which two Locators make the same best guess."""
    same = [int(original(batch)[0].argmax().asscalar() == copy(batch)[0].argmax().asscalar()) for batch in batches]
    return sum(same) / float(len(same))


def val_batches(data_dir, locator, limit):
    """Up to `limit` validation photos of a step-01 dataset folder, preprocessed for `locator`."""
    records = mx.recordio.MXIndexedRecordIO(
        os.path.join(data_dir, "val.idx"), os.path.join(data_dir, "val.rec"), "r"
    )
    batches = []
    for key in records.keys[:limit]:
        _, jpeg = mx.recordio.unpack(records.read_idx(key))
        image = photo.decode(photo.open_photo(jpeg), locator.resize)
        batches.append(inference.preprocess(image, locator.resize, locator.image_size, locator.mean, locator.std))
    records.close()
    return batches


def make_int8_copy(model_dir, data_dir, calibration=CALIBRATION_PHOTOS, photos=200, min_agreement=0.95):
    """Write the int8 copy into `model_dir` if it agrees with fp32 on `min_agreement` of the val photos.

    Returns (share of same best guesses, whether the copy was kept)."""
    for name in (int8.SYMBOL, int8.PARAMS):
        if os.path.exists(os.path.join(model_dir, name)):
            os.remove(os.path.join(model_dir, name))  # start again from the original network
    original = inference.read_locator(model_dir).warm_up()  # unfused: quantization fuses its own way
    batches = val_batches(data_dir, original, photos)
    network = quantize(original.network, batches[:calibration])
    copy = original.with_network(network, original.model_name + " (int8)").warm_up()
    share = agreement(original, copy, batches)
    if share >= min_agreement:
        network.export(os.path.join(model_dir, int8.PREFIX), 0)
    return share, share >= min_agreement


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True, help="a model folder (step 02's, or LocationNet's files)")
    parser.add_argument("--data", required=True, help="the dataset folder with val.rec/val.idx (step 01)")
    parser.add_argument("--calibration", type=int, default=CALIBRATION_PHOTOS, help="photos that set the int8 ranges")
    parser.add_argument("--photos", type=int, default=200, help="validation photos to compare answers on")
    parser.add_argument("--min-agreement", type=float, default=0.95, help="share of same best guesses required")
    args = parser.parse_args(argv)
    if not os.path.isfile(os.path.join(args.data, "val.rec")):
        sys.exit("{} has no val.rec: pass the dataset folder step 01 made (`make data`).".format(args.data))
    share, kept = make_int8_copy(args.model_dir, args.data, args.calibration, args.photos, args.min_agreement)
    print("int8 and fp32 agree on the best guess for {:.1%} of the validation photos.".format(share))
    if not kept:
        sys.exit("That is under --min-agreement {:.0%}: the int8 copy was not kept.".format(args.min_agreement))
    print("Wrote {} and {}: serve.py and the endpoint now use them.".format(int8.SYMBOL, int8.PARAMS))


if __name__ == "__main__":
    main()

"""Make an int8 copy of a model's network for faster CPU answers, and keep it only if it answers like the original.

    python quantize.py --model-dir build/model --data build/data                  # step 02's model, its val photos
    python quantize.py --model-dir build/locationnet --photos build/testsets/mediaeval2016/photos   # real photos

MKLDNN int8 with naive calibration: the activation ranges that a few photos produce fix each layer's int8 scale.
Every layer is quantized ("full"): MXNet's default ("smart") keeps the first convolution in fp32, and converting
between the two on every request made the copy about a third slower on LocationNet (ResNet-101). The copy
(model-int8-symbol.json + model-int8-0000.params, beside the network) is written only when its best guess matches
the original's on at least --min-agreement of the photos; model_fn then serves it. Calibrate and check on photos like
the ones the model will answer: the toy world's renders for a step-02 model, real photos for LocationNet.
"""
import argparse
import collections
import os
import sys
import warnings
from pathlib import Path

import mxnet as mx
import numpy as np
from mxnet.contrib.quantization import quantize_net_v2

import inference
import int8
import photo
from refusal import Refused

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
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


Agreement = collections.namedtuple("Agreement", "best top3 photos")


def compare(original, copy, batches):
    """Agreement of two Locators on `batches`: the share of the same best guess, the mean share of their three best
    guesses that both make (in any order), and how many photos that is."""
    best = top3 = 0
    for batch in batches:
        ranked = [np.argsort(-locator(batch)[0].asnumpy())[:3] for locator in (original, copy)]
        best += int(ranked[0][0] == ranked[1][0])
        top3 += len(set(ranked[0].tolist()) & set(ranked[1].tolist())) / 3.0
    return Agreement(best / float(len(batches)), top3 / float(len(batches)), len(batches))


def agreement(original, copy, batches):
    """The share of `batches` on which two Locators make the same best guess."""
    return compare(original, copy, batches).best


def batch(body, locator):
    """Photo bytes -> a (1, 3, S, S) batch for `locator`, as predict_fn prepares a request."""
    image = photo.decode(photo.open_photo(body), locator.resize)
    return inference.preprocess(image, locator.resize, locator.image_size, locator.mean, locator.std)


def val_batches(data_dir, locator, limit):
    """Up to `limit` validation photos of a step-01 dataset folder, preprocessed for `locator`."""
    records = mx.recordio.MXIndexedRecordIO(
        os.path.join(data_dir, "val.idx"), os.path.join(data_dir, "val.rec"), "r"
    )
    batches = []
    for key in records.keys[:limit]:
        _, jpeg = mx.recordio.unpack(records.read_idx(key))
        batches.append(batch(jpeg, locator))
    records.close()
    return batches


def folder_batches(folder, locator, limit):
    """Up to `limit` photos of a folder (JPEG or PNG, in name order), preprocessed for `locator`, and how many files
    were skipped because serving would refuse them (not a photo, truncated, over 6 MB)."""
    paths = sorted(path for path in Path(folder).rglob("*") if path.suffix.lower() in PHOTO_SUFFIXES)
    batches, skipped = [], 0
    for path in paths:
        if len(batches) == limit:
            break
        try:
            with open(str(path), "rb") as file:
                batches.append(batch(file.read(photo.MAX_BYTES + 1), locator))
        except (Refused, OSError):
            skipped += 1
    return batches, skipped


def write_int8_copy(model_dir, batches_for, calibration=CALIBRATION_PHOTOS, min_agreement=0.95):
    """Write the int8 copy into `model_dir` if its best guess is fp32's on `min_agreement` of the photos that
    `batches_for(locator)` gives (the first `calibration` of them set its ranges). Returns (Agreement, kept)."""
    for name in (int8.SYMBOL, int8.PARAMS):
        if os.path.exists(os.path.join(model_dir, name)):
            os.remove(os.path.join(model_dir, name))  # start again from the original network
    original = inference.read_locator(model_dir).warm_up()  # unfused: quantization fuses its own way
    batches = batches_for(original)
    network = quantize(original.network, batches[:calibration])
    copy = original.with_network(network, original.model_name + " (int8)").warm_up()
    same = compare(original, copy, batches)
    if same.best >= min_agreement:
        network.export(os.path.join(model_dir, int8.PREFIX), 0)
    return same, same.best >= min_agreement


def make_int8_copy(model_dir, data_dir, calibration=CALIBRATION_PHOTOS, photos=200, min_agreement=0.95):
    """Write the int8 copy into `model_dir` if it agrees with fp32 on `min_agreement` of the val photos.

    Returns (share of same best guesses, whether the copy was kept)."""
    same, kept = write_int8_copy(
        model_dir, lambda locator: val_batches(data_dir, locator, photos), calibration, min_agreement
    )
    return same.best, kept


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True, help="a model folder (step 02's, or LocationNet's files)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="the dataset folder with val.rec/val.idx (step 01): its validation photos")
    source.add_argument("--photos", help="a folder of real photos (JPEG or PNG), e.g. the test set's")
    parser.add_argument("--calibration", type=int, default=CALIBRATION_PHOTOS, help="photos that set the int8 ranges")
    parser.add_argument("--compare", type=int, default=200, help="photos to compare int8's answers with fp32's on")
    parser.add_argument("--min-agreement", type=float, default=0.95, help="share of same best guesses required")
    args = parser.parse_args(argv)
    if args.data and not os.path.isfile(os.path.join(args.data, "val.rec")):
        sys.exit(f"{args.data} has no val.rec: pass the dataset folder step 01 made (`make data`).")
    if args.photos and not os.path.isdir(args.photos):
        sys.exit(f"--photos {args.photos} is no folder: pass a folder of JPEG or PNG photos.")
    skipped = []

    def batches_for(locator):
        if args.data:
            return val_batches(args.data, locator, args.compare)
        batches, unusable = folder_batches(args.photos, locator, args.compare)
        skipped.append(unusable)
        if not batches:
            sys.exit(f"--photos {args.photos} holds no photo serving would take: put JPEG or PNG photos there.")
        return batches

    same, kept = write_int8_copy(args.model_dir, batches_for, args.calibration, args.min_agreement)
    where = "validation photos" if args.data else f"photos of {args.photos}"
    if skipped and skipped[0]:
        where += f" ({skipped[0]} files there skipped: not photos serving would take)"
    print(f"int8 and fp32 on {same.photos} {where}:")
    print(f"  the same best guess for {same.best:.1%}; {same.top3:.1%} of their top-3 guesses in common.")
    if not kept:
        sys.exit(f"That is under --min-agreement {args.min_agreement:.0%}: the int8 copy was not kept.")
    print(f"Wrote {int8.SYMBOL} and {int8.PARAMS}: serve.py and the endpoint now use them.")


if __name__ == "__main__":
    main()

"""Make an int8 copy of a model's network for faster CPU answers, and keep it only if it answers like the original.

    python quantize.py --model-dir build/model --data build/data                  # step 02's model, its val photos
    python quantize.py --model-dir build/locationnet --photos build/testsets/mediaeval2016/photos   # real photos

MKLDNN int8 with naive calibration: the activation ranges that a few photos produce fix each layer's int8 scale.
Every layer is quantized ("full"): MXNet's default ("smart") keeps the first convolution in fp32, and converting
between the two on every request made the copy about a third slower on LocationNet (ResNet-101). The copy
(model-int8-symbol.json + model-int8-0000.params, beside the network) is written only when its best guess matches
the original's on at least --min-agreement of the photos; model_fn then serves it. A copy that does not agree well
enough is not kept, and that is no failure: the fp32 network stays in place and serves, only slower. Calibrate and
check on photos like the ones the model will answer: the toy world's renders for a step-02 model, real photos for
LocationNet.

model-int8.json records what the check was made from (a fingerprint of the network's files, the photos and the
settings) and how it went: run again with the same inputs, it says so and redoes nothing.
"""
import argparse
import collections
import hashlib
import json
import os
import sys
import warnings
from pathlib import Path

import mxnet as mx
from mxnet.contrib.quantization import quantize_net_v2

HERE = Path(__file__).resolve().parent
if str(HERE / "code") not in sys.path:
    sys.path.insert(0, str(HERE / "code"))  # the container's modules: code/, as SageMaker lays out model.tar.gz

import inference  # noqa: E402
import int8  # noqa: E402
import locationnet  # noqa: E402
import photo  # noqa: E402
from refusal import Refused  # noqa: E402

import batched  # noqa: E402
from batch_norm_folding import fold_batch_norms  # noqa: E402

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
CALIBRATION_PHOTOS = 32  # 8 left the toy model's int8 copy agreeing on ~94% of best guesses, 32 on ~98%
RECORD = int8.PREFIX + ".json"  # what the last check was made from, and how it went


def quantize(network, batches):
    """An int8 copy of `network` calibrated on `batches` ((1, 3, S, S) arrays, preprocessed as for serving), its
    batch norms folded into their convolutions first (batch_norm_folding.py: the copy starts sooner)."""
    calibration = mx.io.NDArrayIter(mx.nd.concat(*batches, dim=0), batch_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MXNet warns that symbols without declared types cannot be inferred
        return quantize_net_v2(
            fold_batch_norms(network),
            quantized_dtype="auto",
            quantize_mode="full",
            calib_mode="naive",
            calib_data=calibration,
            num_calib_examples=len(batches),
            ctx=mx.cpu(),
        )


def read_locator(model_dir):
    """The fp32 Locator of a step-02 model folder or of the original LocationNet files, not yet warmed up."""
    return locationnet.load(model_dir) if locationnet.present(model_dir) else inference.load_model(model_dir)


Agreement = collections.namedtuple("Agreement", "best top3 photos")


def compare(original, copy, batches):
    """Agreement of two Locators on `batches`: the share of the same best guess, the mean share of their three best
    guesses that both make (in any order), and how many photos that is. Both answer in batches (batched.py)."""
    pixels = mx.nd.concat(*batches, dim=0).asnumpy()
    ours, theirs = batched.ranked_pixels([original, copy], pixels, k=3)
    best = float((ours[:, 0] == theirs[:, 0]).sum())
    top3 = sum(len(set(one.tolist()) & set(other.tolist())) / 3.0 for one, other in zip(ours, theirs))
    return Agreement(best / len(batches), top3 / len(batches), len(batches))


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


def photo_paths(folder):
    """The JPEG and PNG files under `folder`, in name order."""
    return sorted(path for path in Path(folder).rglob("*") if path.suffix.lower() in PHOTO_SUFFIXES)


def folder_batches(folder, locator, limit):
    """Up to `limit` photos of a folder (JPEG or PNG, in name order), preprocessed for `locator`, and how many files
    were skipped because serving would refuse them (not a photo, truncated, over 6 MB)."""
    batches, skipped = [], 0
    for path in photo_paths(folder):
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
    int8.remove(model_dir)  # start again from the original network
    original = read_locator(model_dir).warm_up()  # unfused: quantization fuses its own way
    batches = batches_for(original)
    network = quantize(original.network, batches[:calibration])
    copy = original.with_network(network, original.model_name + " (int8)").warm_up()
    same = compare(original, copy, batches)
    if same.best >= min_agreement:
        int8.write(network, original, model_dir)
    return same, same.best >= min_agreement


def make_int8_copy(model_dir, data_dir, calibration=CALIBRATION_PHOTOS, photos=200, min_agreement=0.95):
    """Write the int8 copy into `model_dir` if it agrees with fp32 on `min_agreement` of the val photos.

    Returns (share of same best guesses, whether the copy was kept)."""
    same, kept = write_int8_copy(
        model_dir, lambda locator: val_batches(data_dir, locator, photos), calibration, min_agreement
    )
    return same.best, kept


def fingerprint(model_dir, photo_files, settings):
    """What a check is made from, as one hash: the fp32 network's files (not its int8 copy), the photos' names and
    bytes, and the settings."""
    network = sorted(path for path in Path(model_dir).iterdir()
                     if path.suffix in (".json", ".params") and not path.name.startswith(int8.PREFIX))
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode("utf-8"))
    for path in network + list(photo_files):
        digest.update(path.name.encode("utf-8") + b"\0")
        with open(str(path), "rb") as file:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def inputs_of(args):
    """The fingerprint of what this run's check is made from."""
    photo_files = [Path(args.data, "val.idx"), Path(args.data, "val.rec")] if args.data else photo_paths(args.photos)
    settings = {"calibration": args.calibration, "compare": args.compare, "min_agreement": args.min_agreement,
                "mxnet": mx.__version__}
    return fingerprint(args.model_dir, photo_files, settings)


def earlier_check(model_dir, made_from):
    """The record of an earlier check made from the same inputs whose outcome is still in place (the copy kept, or
    no copy when it was not), else None."""
    try:
        with open(os.path.join(model_dir, RECORD)) as file:
            record = json.load(file)
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("made_from") != made_from:
        return None
    copy_in_place = all(os.path.exists(os.path.join(model_dir, name)) for name in int8.FILES)
    return record if record.get("kept") == copy_in_place else None


def remember(model_dir, made_from, same, kept, where):
    with open(os.path.join(model_dir, RECORD), "w") as file:
        json.dump({"made_from": made_from, "best": same.best, "top3": same.top3, "photos": same.photos,
                   "kept": kept, "where": where}, file, indent=2)
        file.write("\n")


def report(same, kept, where, model_dir, min_agreement):
    """Say how well int8 agrees with fp32, and what serves now."""
    print(f"int8 and fp32 on {same.photos} {where}:")
    print(f"  the same best guess for {same.best:.1%}; {same.top3:.1%} of their top-3 guesses in common.")
    if kept:
        print("Wrote {}: serve.py and the endpoint now use them.".format(", ".join(int8.FILES)))
    else:
        print(f"That is under --min-agreement {min_agreement:.0%}, so the int8 copy was not kept. Nothing is wrong: the fp32 "
              f"network in {model_dir} is in place and serves every answer, only slower than an int8 copy would.")


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
    if not os.path.isdir(args.model_dir):
        sys.exit(f"--model-dir {args.model_dir} is no folder: pass a model folder (make train, make locationnet).")
    made_from = inputs_of(args)
    earlier = earlier_check(args.model_dir, made_from)
    if earlier:
        print(f"{os.path.join(args.model_dir, RECORD)} says the int8 check was made from these same network files, photos and settings: nothing to "
              "redo (delete it to check again).")
        same = Agreement(earlier["best"], earlier["top3"], earlier["photos"])
        report(same, earlier["kept"], earlier["where"], args.model_dir, args.min_agreement)
        return
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
    remember(args.model_dir, made_from, same, kept, where)
    report(same, kept, where, args.model_dir, args.min_agreement)


if __name__ == "__main__":
    main()

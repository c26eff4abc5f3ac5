"""`make evaluate`: how often a model places photos within 1 / 25 / 200 / 750 / 2500 km, beside published figures.

    python -m workshop evaluate [--model DIR] [--testset mediaeval2016] [--photos 1000] [--data build/data]

LocationNet (a folder with the RN101-5k500 files, made by `make locationnet`) answers the first N photos of the
MediaEval 2016 Placing Task test list, fetched by hash and kept in build/testsets/ (workshop/testset.py). A step-02
model (`make train`) answers the validation photos of its dataset (--data), real or toy. Each answers with its fp32
network and, when quantize.py made one, its int8 copy, both through serving's own preprocessing (03_host). The shares
are step 02's geo_accuracy (02_train/geo.py), so the table reads like PlaNet's. Without --model, every model that is
there is evaluated (build/model and build/locationnet): one table compares the toy model with LocationNet.

Photos are decoded in parallel and answered in batches (03_host/batched.py); before it starts, it says how long the
run will take here (timed on one batch), and a progress bar shows the time left. A step-02 model trained on the
sample data is marked "toy world": its shares are not comparable with the published rows.

Writes into --out: table.txt (the table as printed, without its sources), results.json, errors-<model>.png (each
photo's error drawn from where it was taken to the best guess), and for LocationNet one real photo answered as the
bot would reply (photo.jpg, reply.txt, map.png). `make slides` shows the table and that photo.
"""
import argparse
import json
import math
import re
import time
from pathlib import Path

from PIL import ImageDraw, ImageFont
from tqdm import tqdm

from workshop import loader
from workshop import testset as mediaeval
from workshop.paths import ROOT

SOLUTIONS = ROOT / "solutions"
TESTSETS = ROOT / "build" / "testsets"
MODELS = [ROOT / "build" / "model", ROOT / "build" / "locationnet"]

# What others measured the same way: the share of test photos placed within each distance, in %.
PUBLISHED = [
    ("PlaNet, Im2GPS test set [1]", (8.4, 24.5, 37.6, 53.6, 71.3)),
    ("LocationNet, Im2GPS test set [2]", (16.8, 39.2, 48.9, 67.9, 82.2)),
    ("LocationNet, Placing Task 2016 test set [2]", (6.2, 13.5, 20.8, 35.6, 55.2)),
]
SOURCES = [
    '[1] T. Weyand, I. Kostrikov, J. Philbin, "PlaNet - Photo Geolocation with Convolutional Neural Networks", '
    "ECCV 2016.",
    '[2] The geo-location tutorial of LocationNet (RN101-5k500), "Result": github.com/multimedia-berkeley/tutorials;\n'
    '    the model: J. Choi, K. Li, "Estimating the Location of Images Using Apache MXNet and Multimedia Commons\n'
    '    Dataset on AWS EC2", AWS Machine Learning Blog, 2017.',
]
EXAMPLE = ("photo.jpg", "reply.txt", "map.png")  # one real photo answered, as the bot replies
# Error bands of the map, each drawn in its colour: within 25 km, 750 km, 2500 km, farther.
TOY = " (toy world)"  # marks the rows of a model trained on the sample's synthetic world
BANDS = [(25, (30, 132, 73)), (750, (183, 149, 11)), (2500, (211, 84, 0)), (float("inf"), (192, 57, 43))]

def step(folder, name):
    """A module of a step's solution (the host's code), loaded as its own folder sees it."""
    return loader.load(SOLUTIONS / folder, name)


class Evaluation:
    """One network's answers to a set of photos: the name in the table, the best guesses and how far off they are."""

    def __init__(self, name, photos, predicted, cells):
        geo = step("02_train", "geo")
        lat, lng = [photo[1] for photo in photos], [photo[2] for photo in photos]
        cell_lat, cell_lng = [cell["lat"] for cell in cells], [cell["lng"] for cell in cells]
        self.name = name
        self.photos = photos
        self.guesses = [cells[index] for index in predicted]
        self.km = []
        self.within = None  # no share of no photo: none was answered
        if not photos:
            return
        self.within = geo.geo_accuracy(predicted, lat, lng, cell_lat, cell_lng)
        guess_lat, guess_lng = [g["lat"] for g in self.guesses], [g["lng"] for g in self.guesses]
        self.km = geo.haversine_km(lat, lng, guess_lat, guess_lng).tolist()


def test_photos(testset, count, testsets=TESTSETS):
    """(photos [(a function that reads the JPEG, lat, lng)], what they are, where from) of the test set: its first `count` photos, fetched by hash
    into testsets/<testset> (or found there from an earlier run)."""
    check_testset(testset)
    out = Path(testsets) / testset
    try:
        listed, fetched = mediaeval.first_photos(out, count)
    except mediaeval.Failed as error:
        raise SystemExit(f"make evaluate: {error}")
    print(mediaeval.report(listed, fetched, out / "photos"))
    photos = [(path.read_bytes, photo.lat, photo.lng) for path, photo in fetched.photos]  # read when decoded
    what = (f"the first {count} photos of the MediaEval 2016 test list ({len(photos)} fetched, "
            f"{len(fetched.missing)} missing on S3, {len(fetched.unreadable)} unreadable)")
    return photos, what, "MediaEval 2016"


def check_testset(testset):
    if testset != "mediaeval2016":
        raise SystemExit(f"make evaluate: no test set {testset!r}: the one it knows is mediaeval2016.")


def check_data(data):
    if not (Path(data) / "val.rec").is_file():
        raise SystemExit(f"make evaluate: {data} has no val.rec: a step-02 model is evaluated on the validation photos "
                         "of its dataset; make it with `make data`, or pass --data.")


def val_photos(data, count):
    """(photos [(JPEG bytes, lat, lng)], what they are, where from): the first `count` validation photos of a step-01
    dataset; those of the sample's synthetic world are marked "toy world"."""
    import mxnet as mx

    check_data(data)
    records = mx.recordio.MXIndexedRecordIO(str(Path(data) / "val.idx"), str(Path(data) / "val.rec"), "r")
    photos = []
    for key in records.keys[:count]:
        header, jpeg = mx.recordio.unpack(records.read_idx(key))
        photos.append((jpeg, float(header.label[1]), float(header.label[2])))
    records.close()
    made = Path(data) / "dataset.json"
    toy = made.is_file() and json.loads(made.read_text(encoding="utf-8")).get("source") == "sample"
    return photos, f"{len(photos)} validation photos of {data}", "val photos" + (TOY if toy else "")


def networks(model_dir):
    """[(label, Locator)]: the fp32 network as model_fn serves it without an int8 copy, and the int8 copy if any."""
    inference, int8 = step("03_host", "inference"), step("03_host", "int8")
    found = [("fp32", step("03_host", "quantize").read_locator(str(model_dir)).warm_up(fuse=True))]
    if int8.present(str(model_dir)):
        found.append(("int8", inference.model_fn(str(model_dir))))
    return found


def answer(locators, photos, name="photos"):
    """For each Locator, the best guess (class) of each photo, and the photos serving would refuse (left out): the
    photos decoded in parallel and answered in batches, with a progress bar that shows the time left."""
    batched = step("03_host", "batched")
    with tqdm(total=len(photos), desc=name, unit="photo", dynamic_ncols=True) as bar:
        guesses, kept = batched.ranked(locators, [photo[0] for photo in photos], progress=bar.update)
    return [found[:, 0] for found in guesses], [photos[index] for index in kept]


def seconds_per_photo(locators):
    """What answering one photo costs here, timed on one batch of each network (after one to warm it up), with a
    fifth more for decoding (the threads that decode run beside the network, on the same cores)."""
    import mxnet as mx

    batched = step("03_host", "batched")
    size = locators[0].image_size
    inputs = mx.nd.zeros((batched.BATCH, 3, size, size))
    for locator in locators:
        locator(inputs).wait_to_read()
    started = time.perf_counter()
    for locator in locators:
        locator(inputs).wait_to_read()
    return (time.perf_counter() - started) / batched.BATCH * 1.2


def duration(seconds):
    """3725 -> "1 h 2 min", 125 -> "2 min 5 s", 7.5 -> "8 s"."""
    seconds = int(math.ceil(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def evaluate(name, found, photos, what, where):
    """[Evaluation] of each network found (networks()) on `photos` (`what` they are, `where` from, in a few words),
    and the Locator that serving uses (model_fn's choice: the int8 copy when there is one)."""
    started = time.perf_counter()
    guesses, kept = answer([locator for _, locator in found], photos, name)
    seconds = time.perf_counter() - started
    labels = " and ".join(label for label, _ in found)
    if kept:
        print(f"{name}: {len(kept)} of {what} answered by {labels} in {seconds:.1f} s "
              f"({seconds / len(kept) * 100:.0f} s per 100 photos); {len(photos) - len(kept)} refused.")
    else:
        print(f"{name}: no photo of {what} could be answered: serving refused all {len(photos)} (not photos, "
              "truncated or over 6 MB).")
    cells = found[0][1].cells
    evaluations = [Evaluation(f"{name} {label}, {where}", kept, predicted, cells)
                   for (label, _), predicted in zip(found, guesses)]
    return evaluations, found[-1][1]


def table(evaluations, counts=()):
    """The shares within each distance: `counts` (a line per model: how many photos of what), the models' rows, then
    the published ones (their sources: SOURCES)."""
    geo = step("02_train", "geo")
    lines = list(counts)
    lines.append("share of photos within".ljust(44) + "".join(f"{km} km".rjust(9) for km in geo.THRESHOLDS_KM)
                 + "  photos")
    for evaluation in evaluations:
        if evaluation.within is None:
            shares = "no photo answered".center(9 * len(geo.THRESHOLDS_KM))
        else:
            shares = "".join(f"{evaluation.within[km] * 100:7.1f} %" for km in geo.THRESHOLDS_KM)
        lines.append(evaluation.name.ljust(44) + shares + f"{len(evaluation.photos):8d}")
    if any(TOY in evaluation.name for evaluation in evaluations):
        lines.append(f"{TOY.strip()}: the sample's synthetic world, a few dozen cells; not comparable with the rows "
                     "below.")
    lines.append("published")
    for name, shares in PUBLISHED:
        lines.append(name.ljust(44) + "".join(f"{share:7.1f} %" for share in shares))
    return "\n".join(lines) + "\n"


def draw_errors(evaluation, path):
    """A world map with a line from where each photo was taken (a dot) to its best guess, coloured by the error."""
    map_image = step("04_bot", "chalicelib.map_image")
    picture = map_image.basemap_of(map_image.WORLD)  # the world at the reply picture's size
    pen = ImageDraw.Draw(picture)
    width, height = picture.size
    for (_, lat, lng), guess, km in sorted(zip(evaluation.photos, evaluation.guesses, evaluation.km),
                                           key=lambda item: -item[2]):  # the worst first, the best on top
        colour = next(colour for limit, colour in BANDS if km <= limit)
        start = map_image.to_pixel(lat, lng, width, height)
        pen.line([start, map_image.to_pixel(guess["lat"], guess["lng"], width, height)], fill=colour, width=2)
        pen.ellipse((start[0] - 3, start[1] - 3, start[0] + 3, start[1] + 3), fill=colour)
    caption = (f"{evaluation.name}: {len(evaluation.photos)} photos, each a line from where it was taken to the best "
               "guess. Green within 25 km, yellow 750 km, orange 2500 km, red farther.")
    font = ImageFont.load_default(16)
    pen.rectangle(pen.textbbox((10, height - 26), caption, font=font), fill="white")
    pen.text((10, height - 26), caption, fill="black", font=font)
    picture.save(path, "PNG")


def answer_one(locator, evaluation, out):
    """One real photo answered by `locator` as the bot replies (photo.jpg, reply.txt, map.png): the first photo whose
    best guess is within 25 km of where it was taken, else the closest."""
    inference = step("03_host", "inference")
    reply, map_image = step("04_bot", "chalicelib.reply"), step("04_bot", "chalicelib.map_image")
    close = [index for index, km in enumerate(evaluation.km) if km <= 25]
    chosen = close[0] if close else min(range(len(evaluation.km)), key=evaluation.km.__getitem__)
    jpeg = evaluation.photos[chosen][0]
    jpeg = jpeg() if callable(jpeg) else jpeg  # a test photo is read from its file when needed
    body, _ = inference.output_fn(inference.predict_fn(inference.input_fn(jpeg, "image/jpeg"), locator), "*/*")
    predictions = json.loads(body)["predictions"]
    photo_file, reply_file, map_file = (out / name for name in EXAMPLE)
    photo_file.write_bytes(jpeg)
    reply_file.write_text(reply.reply_text(predictions) + "\n", encoding="utf-8")
    map_file.write_bytes(map_image.draw_map(predictions))
    return {"photo": chosen, "km": round(evaluation.km[chosen], 1), "predictions": predictions}


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m workshop evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a model folder (default: build/model and build/locationnet)")
    parser.add_argument("--testset", default="mediaeval2016", help="LocationNet's test set (mediaeval2016)")
    parser.add_argument("--photos", type=int, default=1000, help="how many test (or validation) photos to answer")
    parser.add_argument("--data", type=Path, default=ROOT / "build" / "data", help="a step-02 model's dataset")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "evaluate", help="where the table and maps go")
    parser.add_argument("--testsets", type=Path, default=TESTSETS, help="where test photos are kept between runs")
    args = parser.parse_args(argv)
    if args.photos < 1:
        parser.error("--photos must be 1 or more")
    locationnet = step("03_host", "locationnet")
    if args.model and not args.model.is_dir():
        raise SystemExit(f"make evaluate: --model {args.model} is no folder: give a model folder (`make train`, "
                         "`make locationnet`).")
    models = [args.model] if args.model else [folder for folder in MODELS if folder.is_dir()]
    if not models:
        raise SystemExit("make evaluate: no model to evaluate: `make locationnet` fetches the real one, `make train` "
                         "trains the toy one (or pass --model DIR).")
    args.out.mkdir(parents=True, exist_ok=True)
    for old in [*args.out.glob("errors-*.png"), *(args.out / name for name in EXAMPLE)]:
        old.unlink(missing_ok=True)  # what an earlier run drew of a model that may be gone
    evaluations, counts, example = [], [], None
    for model_dir in models:
        is_locationnet = locationnet.present(str(model_dir))
        name = "LocationNet" if is_locationnet else "Step-02 model"
        if is_locationnet:  # the inputs are checked before minutes of loading
            check_testset(args.testset)
        else:
            check_data(args.data)
        found = networks(model_dir)
        labels = " and ".join(label for label, _ in found)
        print(f"{name}: {args.photos} photos take about "
              f"{duration(seconds_per_photo([locator for _, locator in found]) * args.photos)} to answer with {labels} "
              f"on this machine{' (plus fetching those not yet here)' if is_locationnet else ''}; --photos (make "
              "evaluate N=...) sets how many.", flush=True)
        if len(found) == 1:
            print(f"{model_dir} has no int8 copy: quantize.py makes one (`make locationnet` does for LocationNet).")
        if is_locationnet:
            photos, what, where = test_photos(args.testset, args.photos, args.testsets)
        else:
            photos, what, where = val_photos(args.data, args.photos)
        if not photos:
            raise SystemExit(f"make evaluate: {what}: no photo to answer.")
        found, served = evaluate(name, found, photos, what, where)
        counts.append(f"{name}: {len(found[0].photos)} photos answered, of {what}.")
        if is_locationnet and found[0].photos:
            example = answer_one(served, found[-1], args.out)
        evaluations += found
    for evaluation in evaluations:
        if evaluation.photos:
            draw_errors(evaluation, args.out / f"errors-{slug(evaluation.name)}.png")
    shares = table(evaluations, counts)
    print("\n" + shares + "\n" + "\n".join(SOURCES))
    (args.out / "table.txt").write_text(shares, encoding="utf-8")
    results = {
        "models": [{"name": e.name, "photos": len(e.photos), "within_km": e.within} for e in evaluations],
        "published": [{"name": name, "within_km_percent": list(shares)} for name, shares in PUBLISHED],
        "sources": SOURCES,
        "example": example,
    }
    # allow_nan=False: a share that is not a number must fail here, never reach the file as JSON no reader takes.
    (args.out / "results.json").write_text(json.dumps(results, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    print(f"The maps of the errors and results.json are in {args.out}.")


if __name__ == "__main__":
    main()

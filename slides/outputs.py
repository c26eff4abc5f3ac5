"""The repository's own outputs that the deck shows, made when missing; pictures inlined as data: URIs.

Paths are relative to the repository root. What lies under a checkpoint artifact's path (build/checkpoint/data/
cells.png, build/checkpoint/model/output/curves.png) is made by that checkpoint. The REPLY files are a real answer
of the bot: the checkpoint model (step 3's inference.py) places a validation photo, and the bot's own code (step 4)
writes the reply text and draws the map. They are remade when the model or that code changes.
"""
import base64
import csv
import json
import mimetypes
import warnings

from workshop import ROOT, checkpoint, files, loader, manifest

REPLY_FOLDER = "build/slides/reply"
REPLY = {name: f"{REPLY_FOLDER}/{name}" for name in ("photo.jpg", "map.png", "reply.txt")}
REPLY_MADE_FROM = ["solutions/03_host", "solutions/04_bot/chalicelib"]
PHOTOS_TRIED = 50  # validation photos to look through for one the model places in its true cell


def make(paths, say=print):
    """Make what the outputs at `paths` come from (the paths that name nothing made here are left alone)."""
    for name, artifact in manifest.artifacts().items():
        if any(_inside(path, artifact.path) for path in paths):
            checkpoint.ensure(name, say)
    if any(path in REPLY.values() for path in paths):
        make_reply(say)


def data_uri(path):
    kind = mimetypes.guess_type(path)[0]
    return f"data:{kind};base64,{base64.b64encode((ROOT / path).read_bytes()).decode()}"


def _inside(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def make_reply(say=print):
    """The bot's reply (text and map) to a validation photo of the checkpoint data, unless it is up to date."""
    data, model = checkpoint.ensure("data", say), checkpoint.ensure("model", say)
    folder = ROOT / REPLY_FOLDER
    stamp = folder / ".fingerprint"
    fingerprint = _fingerprint(model)
    if stamp.is_file() and stamp.read_text() == fingerprint and all((ROOT / p).is_file() for p in REPLY.values()):
        return
    say("Drawing the bot's reply for the slides ...")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # MXNet 1.9 on numpy 1.23
        import mxnet as mx  # slow to import: only when the reply is redrawn

    inference = loader.load(ROOT / "solutions" / "03_host", "inference")
    bot = ROOT / "solutions" / "04_bot"
    reply, map_image = loader.load(bot, "chalicelib.reply"), loader.load(bot, "chalicelib.map_image")
    with open(model / "cells.tsv", newline="") as file:
        tokens = [row["token"] for row in csv.DictReader(file, delimiter="\t")]
    records = mx.recordio.MXIndexedRecordIO(str(data / "val.idx"), str(data / "val.rec"), "r")
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Cannot decide type", UserWarning)  # MXNet loading an exported net
            jpeg, predictions = _placed_photo(mx, records, inference, inference.model_fn(str(model)), tokens)
    finally:
        records.close()
    folder.mkdir(parents=True, exist_ok=True)
    (ROOT / REPLY["photo.jpg"]).write_bytes(jpeg)
    (ROOT / REPLY["map.png"]).write_bytes(map_image.draw_map(predictions))
    (ROOT / REPLY["reply.txt"]).write_text(reply.reply_text(predictions) + "\n", encoding="utf-8")
    stamp.write_text(fingerprint)


def _placed_photo(mx, records, inference, locator, tokens):
    """The first validation photo whose best guess is its true cell (else the first photo), and the answer."""
    answers = []
    for key in records.keys[:PHOTOS_TRIED]:
        header, jpeg = mx.recordio.unpack(records.read_idx(key))
        photo = inference.input_fn(jpeg, "image/jpeg")
        body, _ = inference.output_fn(inference.predict_fn(photo, locator), "application/json")
        predictions = json.loads(body)["predictions"]
        if predictions[0]["cell"] == tokens[int(header.label[0])]:
            return jpeg, predictions
        answers.append((jpeg, predictions))
    return answers[0]


def _fingerprint(model):
    return files.fingerprint(model.parent / f".{model.name}.fingerprint", *(ROOT / folder for folder in REPLY_MADE_FROM))
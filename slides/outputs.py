"""The repository's own outputs that the deck shows, made when missing; pictures inlined as data: URIs.

Paths are relative to the repository root. What lies under a checkpoint artifact's path (build/checkpoint/data/
cells.png, build/checkpoint/model/output/curves.png) is made by that checkpoint. The REPLY files are a real answer
of the bot: the checkpoint model (step 3's inference.py) places a validation photo, and the bot's own code (step 4)
writes the reply text and draws the map. They are remade when the model or that code changes. The EVALUATION files
are what `make evaluate` last wrote (its table, and a real photo that LocationNet answered), or, before it has run,
placeholders that say which command fills them.
"""
import base64
import csv
import io
import json
import mimetypes
import shutil
import warnings

from workshop import checkpoint, files, loader, manifest
from workshop.paths import ROOT

REPLY_FOLDER = "build/slides/reply"
REPLY = {name: f"{REPLY_FOLDER}/{name}" for name in ("photo.jpg", "map.png", "reply.txt")}
REPLY_MADE_FROM = ["solutions/03_host", "solutions/04_bot/chalicelib"]
PHOTOS_TRIED = 50  # validation photos to look through for one the model places in its true cell
EVALUATION_FOLDER = "build/slides/evaluation"
EVALUATION = {name: f"{EVALUATION_FOLDER}/{name}" for name in ("table.txt", "photo.jpg", "reply.txt", "map.png")}
EVALUATED = "build/evaluate"  # where `make evaluate` writes them
FILLS_TABLE = "`make evaluate` fills this table: every model in build/ on its test photos, beside the published rows."
FILLS_PHOTO = "`make locationnet`, then `make evaluate`: LocationNet answers a real photo of the test set here."


def make(paths, say=print):
    """Make what the outputs at `paths` come from (the paths that name nothing made here are left alone)."""
    for name, artifact in manifest.artifacts().items():
        if any(_inside(path, artifact.path) for path in paths):
            checkpoint.ensure(name, say)
    if any(path in REPLY.values() for path in paths):
        make_reply(say)
    if any(path in EVALUATION.values() for path in paths):
        make_evaluation(say)


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


def make_evaluation(say=print, evaluated=ROOT / EVALUATED, folder=ROOT / EVALUATION_FOLDER):
    """The evaluation table and the real photo answered, copied from what `make evaluate` wrote into `evaluated`;
    where it has not written them, placeholders that name the command that does."""
    folder.mkdir(parents=True, exist_ok=True)
    if (evaluated / "table.txt").is_file():
        shutil.copy(evaluated / "table.txt", folder / "table.txt")
    else:
        say("No evaluation in build/ yet: the slides show where `make evaluate` puts it.")
        (folder / "table.txt").write_text(FILLS_TABLE + "\n", encoding="utf-8")
    answered = ("photo.jpg", "reply.txt", "map.png")
    if all((evaluated / name).is_file() for name in answered):
        for name in answered:
            shutil.copy(evaluated / name, folder / name)
    else:
        (folder / "reply.txt").write_text(FILLS_PHOTO + "\n", encoding="utf-8")
        words = FILLS_PHOTO.replace("`", "")
        (folder / "photo.jpg").write_bytes(_placeholder(words, (640, 480), "JPEG"))
        (folder / "map.png").write_bytes(_placeholder(words, (1440, 720), "PNG"))


def _placeholder(text, size, kind):
    """A grey picture that says which command makes the real one."""
    from PIL import Image, ImageDraw, ImageFont

    picture = Image.new("RGB", size, (225, 228, 232))
    pen = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size[0] // 28)
    words, lines = text.split(), [""]
    for word in words:  # wrap to the picture's width
        trial = (lines[-1] + " " + word).strip()
        if lines[-1] and pen.textlength(trial, font=font) > size[0] * 0.85:
            lines.append(word)
        else:
            lines[-1] = trial
    pen.multiline_text((size[0] / 2, size[1] / 2), "\n".join(lines), fill=(60, 64, 70), font=font, anchor="mm",
                       align="center")
    buffer = io.BytesIO()
    picture.save(buffer, kind)
    return buffer.getvalue()


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

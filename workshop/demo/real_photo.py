"""`make demo MODEL=locationnet [PHOTO=...]`: the bot's whole path with the talk's LocationNet on a real photo.

No sample data and no training: LocationNet learned 33.9 M photos, and `make locationnet` fetched it. Stage 3 serves
it with serve.py, stage 4 mentions the bot with the photo (the signed webhook, SQS, the worker, the endpoint, the
dry-run reply), stage 5 shows the reply and, when the photo's EXIF holds its GPS position, how far off each guess is.
"""
import io
import shutil
import sys

from PIL import Image, UnidentifiedImageError

from workshop.demo import DemoError, stages
from workshop.paths import ROOT, shown
from workshop.demo.plan import STAGE_NAMES
from workshop import loader

LOCATIONNET = ROOT / "build" / "locationnet"
DEFAULT_PHOTO = ROOT / "photos" / "cape-canaveral-falcon9-dscovr.jpg"
MAX_PHOTO_BYTES = 5 * 1024 * 1024  # X's limit for a photo: the bot refuses a bigger one


def run(out, model, photo, port, processes, code):
    """Stages 3-5 of the demo on `model` (a folder) and `photo` (a path); stages 1-2 are not needed."""
    jpeg = read_photo(photo)
    check_model(model)
    seconds = {}
    stage = stages.stage_runner(code, seconds)
    print(f"[1/{stages.STAGES}] Sample data — not needed: the model is {shown(model)}, trained on real photos")
    print(f"[2/{stages.STAGES}] Training — not needed: LocationNet learned 33.9 M photos (`make locationnet` fetched "
          "it)")
    endpoint = stage(3, "endpoint", f"The endpoint on this machine, serving {shown(model)} (step 03, serve.py)",
                     lambda: stages.start_endpoint(code[3].folder, out, port, processes, model))
    print(f"      The photo: {shown(photo)}")
    reply = stage(4, "bot", "A mention of the bot with the photo (step 04, DRY_RUN=1)",
                  lambda: stages.ask_the_bot(code[4], out, endpoint, jpeg))
    predictions = stage(5, "result", "The result", lambda: show_result(out, endpoint, photo, jpeg, reply, code))
    processes.stop_all()
    print("Stopped the endpoint.")
    return {
        "code": {STAGE_NAMES[number]: code[number].whose for number in (3, 4)},
        "seconds": seconds,
        "model": str(model),
        "photo": str(photo),
        "reply": reply,
        "predictions": predictions,
        "endpoint": endpoint,
    }


def read_photo(photo):
    """The photo's bytes, once it is known to be a photo the bot would take."""
    try:
        body = photo.read_bytes()
    except OSError as error:
        raise DemoError(f"cannot read PHOTO={shown(photo)} ({error.strerror}): give a JPEG or PNG photo.") from None
    try:
        Image.open(io.BytesIO(body)).verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DemoError(f"PHOTO={shown(photo)} is not a photo Pillow can read: give a JPEG or PNG.") from None
    if len(body) > MAX_PHOTO_BYTES:
        raise DemoError(f"PHOTO={shown(photo)} is {len(body) / 2**20:.1f} MB; X takes photos up to 5 MB, and so does the "
                        "bot: give a smaller one.")
    return body


def check_model(model):
    if not (model / "RN101-5k500-symbol.json").is_file() and not (model / "model-symbol.json").is_file():
        raise DemoError(f"there is no model in {shown(model)}: `make locationnet` gets LocationNet (no AWS account "
                        "needed), then run `make demo MODEL=locationnet` again.")


def show_result(out, endpoint, photo, jpeg, reply, code):
    """The reply, where the photo was taken and how far off each guess is; the photo beside summary.json."""
    from workshop import ask

    predictions = stages.ask_endpoint(endpoint, jpeg)["predictions"]
    print(f"      The reply, exactly as the bot would post it (with {shown(out / 'reply.png')} attached):\n")
    print(f"{reply}\n")
    reply_code = loader.load(code[4].folder, "chalicelib.reply")
    print("      " + ask.distances(jpeg, predictions[: reply_code.TOP], reply_code).replace("\n", "\n      "))
    shutil.copy(photo, out / ("photo" + photo.suffix.lower()))
    return predictions

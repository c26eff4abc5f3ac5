"""`make demo MODEL=build/locationnet [PHOTO=...]`: the bot's whole path with the talk's LocationNet on a real photo.

No sample data and no training: LocationNet learned 33.9 M photos, and `make locationnet` fetched it. Stage 3 serves
it with serve.py, stage 4 mentions the bot with the photo (the signed webhook, SQS, the worker, the endpoint, the
dry-run reply), stage 5 shows the reply and, when the photo's EXIF holds its GPS position, how far off each guess is.
"""
import shutil

from workshop import loader
from workshop import photo as photo_input
from workshop.demo import DemoError, stages
from workshop.demo.plan import STAGE_NAMES
from workshop.paths import ROOT, shown

LOCATIONNET = ROOT / "build" / "locationnet"
DEFAULT_PHOTO = ROOT / "photos" / "cape-canaveral-falcon9-dscovr.jpg"


def run(out, model, photo, port, processes, code):
    """Stages 3-5 of the demo on `model` (a folder) and `photo` (a path); stages 1-2 are not needed."""
    try:
        jpeg = photo_input.read_photo(photo)
        photo_input.check_model(model, loader.load(code[3].folder, "locationnet"))
    except photo_input.Stop as stop:
        raise DemoError(str(stop)) from None
    seconds = {}
    stage = stages.stage_runner(code, seconds)
    print(f"[1/{stages.STAGES}] Sample data — not needed: the model is {shown(model)}, trained on real photos")
    print(f"[2/{stages.STAGES}] Training — not needed: LocationNet learned 33.9 M photos (`make locationnet` fetched "
          "it)")
    endpoint = stage(3, "endpoint", f"The endpoint on this machine, serving {shown(model)} (step 03, serve.py)",
                     lambda: stages.start_endpoint(code[3].folder, out, port, processes, model))
    print(f"      The photo: {shown(photo)}")
    reply, predictions = stage(4, "bot", "A mention of the bot with the photo (step 04, DRY_RUN=1)",
                               lambda: stages.ask_the_bot(code[4], out, endpoint, jpeg))
    stage(5, "result", "The result", lambda: photo_result(out, photo, jpeg, reply, predictions, code))
    stages.ring_the_truth(out, code[4].folder, predictions, photo_input.gps_position(jpeg))
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


def photo_result(out, photo, jpeg, reply, predictions, code):
    """Stage 5 on a real photo: the reply, where its GPS EXIF says it was taken and how far off each guess is; the
    photo beside summary.json."""
    reply_code = loader.load(code[4].folder, "chalicelib.reply")
    stages.show_result(out, reply, photo_input.distances(jpeg, predictions[: reply_code.TOP], reply_code))
    shutil.copy(photo, out / ("photo" + photo.suffix.lower()))

"""The five stages of the demo, each announced with whose code it runs and timed."""
import contextlib
import csv
import io
import json
import os
import re
import shutil
import socket
import sys
import time
import traceback
import urllib.request
from dataclasses import asdict, dataclass

import boto3
from botocore.response import StreamingBody
from chalice.test import Client

from workshop import loader
from workshop import photo as photo_input
from workshop.demo import DemoError, stand_ins
from workshop.demo.plan import STAGE_NAMES
from workshop.demo.processes import command_line, tail
from workshop.paths import shown

PY = sys.executable
STAGES = 5
BOT_STAGE = "dev"  # the bot runs with this stage's settings from .chalice/config.json, in dry-run mode
ENDPOINT_START_SECONDS = 60


@dataclass
class Photo:
    """The held-out photo the bot is asked about, and where it was really taken."""

    name: str
    lat: float
    lng: float
    place: str
    admin1: str
    country_code: str
    cell: int  # its class in cells.tsv
    cell_token: str
    cell_place: str


def run(out, size, port, processes, code):
    """The five stages, each announced with whose code it runs, timed, and summed up for summary.json."""
    seconds = {}
    stage = stage_runner(code, seconds)
    dataset = stage(1, "data", "Sample data: the toy world's geotagged photos, cut into S2 cells (step 01)",
                    lambda: make_data(code[1].folder, out, size["photos"], processes))
    metrics = stage(2, "training", f"Training on this CPU, {size['epochs']} epochs (step 02, launch.py --local)",
                    lambda: train(code[2].folder, out, size["epochs"], processes))
    endpoint = stage(3, "endpoint", "The endpoint on this machine (step 03, serve.py)",
                     lambda: start_endpoint(code[3].folder, out, port, processes))
    photo, jpeg, (reply, answered) = stage(4, "bot", "A mention of the bot with a held-out photo (step 04, DRY_RUN=1)",
                                           lambda: mention_the_bot(code[4], out, endpoint))
    predictions = stage(5, "result", "The result", lambda: held_out_result(out, photo, jpeg, reply, answered))
    ring_the_truth(out, code[4].folder, predictions, (photo.lat, photo.lng))
    processes.stop_all()
    print("Stopped the endpoint.")
    return {
        "code": {STAGE_NAMES[number]: step_code.whose for number, step_code in code.items()},
        "seconds": seconds,
        "dataset": {key: dataset[key] for key in ("photos", "cells", "train", "val")},
        "accuracy": {key[len("val_"):]: value for key, value in metrics["final"].items() if key.startswith("val_")},
        "baseline": {key[len("baseline_"):]: value for key, value in metrics["baseline"].items()},
        "geo_750km_vs_baseline": ratio(metrics["final"]["val_geo_750km"], metrics["baseline"]["baseline_geo_750km"]),
        "photo": asdict(photo),
        "reply": reply,
        "predictions": predictions,
        "endpoint": endpoint,
    }


def stage_runner(code, seconds):
    """stage(number, name, title, work): announce a stage with whose code it runs, run `work`, note its time in
    `seconds`; a bug in a step's code becomes a DemoError that names the step's tests."""

    def stage(number, name, title, work):
        whose = f" — {code[number].whose}" if number in code else ""
        print(f"[{number}/{STAGES}] {title}{whose}")
        began = time.perf_counter()
        try:
            result = work()
        except (DemoError, KeyboardInterrupt):
            raise
        except Exception as error:  # a bug in a step's code: its traceback, then what to run
            traceback.print_exc()
            check = f"; `{code[number].test_command}` checks step {number}" if number in code else ""
            raise DemoError(f"stage {number} ({name}) failed with {error.__class__.__name__}: {error} (traceback "
                            f"above{check}).") from None
        seconds[name] = round(time.perf_counter() - began, 1)
        print(f"      ({seconds[name]:.1f} s)")
        return result

    return stage


def make_data(folder, out, photos, processes):
    data = out / "data"
    command = [PY, str(folder / "prepare.py"), "--source", "sample", "--limit", str(photos), "--out", str(data)]
    processes.run(command, out / "prepare.log", "Making the sample data failed")
    about = json.loads((data / "dataset.json").read_text())
    print(f"      {command_line(command)}\n      {about['photos']} photos in {about['cells']} cells ({about['train']} train, "
          f"{about['val']} val) in {shown(data)}")
    return about


def train(folder, out, epochs, processes):
    model = out / "model"
    command = [PY, str(folder / "launch.py"), "--local", "--data", str(out / "data"), "--model-dir", str(model),
               "--epochs", str(epochs)]
    processes.run(command, out / "train.log", "Training failed")
    metrics = json.loads((model / "metrics.json").read_text())
    training = sum(epoch.get("seconds", 0) for epoch in metrics["epochs"])
    print(f"      {command_line(command)}\n      {training:.0f} s of training; the model is in {shown(model)}\n")
    print(accuracy_table(metrics))
    return metrics


def accuracy_table(metrics):
    """PlaNet's table for the val photos: the network against always answering the cell with the most photos."""
    final, baseline = metrics["final"], metrics["baseline"]
    columns = [("top-1", "top1"), ("200 km", "geo_200km"), ("750 km", "geo_750km"), ("2500 km", "geo_2500km")]
    lines = ["      share of val photos".ljust(36) + "".join(f"{title:>9}" for title, _ in columns)]
    for name, values, prefix in (("the network", final, "val_"), ("the majority cell", baseline, "baseline_")):
        lines.append(f"      {name:<30}" + "".join(f"{values[prefix + key]:>9.0%}" for _, key in columns))
    times = ratio(final["val_geo_750km"], baseline["baseline_geo_750km"])
    lines.append(f"      within 750 km: {times}x the majority cell's share\n" if times else "")
    return "\n".join(lines)


def start_endpoint(folder, out, port, processes, model=None):
    """serve.py on a free port (the one asked for when it is free) with `model` (default: the one trained in
    `out`); returns its URL once /ping answers."""
    if port and not port_is_free(port):
        print(f"      Port {port} is busy (another program listens on it): using a free port instead.")
        port = 0
    log = out / "serve.log"
    command = [PY, str(folder / "serve.py"), "--model-dir", str(model or out / "model"), "--port", str(port)]
    server = processes.start(command, log)
    deadline = time.monotonic() + ENDPOINT_START_SECONDS
    while time.monotonic() < deadline:
        found = re.search(r" on (http://127\.0\.0\.1:\d+)", log.read_text(errors="replace"))
        if found and answers_ping(found[1]):
            print(f"      {command_line(command)}\n      {found[1]} answers /ping")
            return found[1]
        if server.poll() is not None:
            raise DemoError(f"The endpoint stopped at its start. The end of {shown(log)}:\n{tail(log)}")
        time.sleep(0.1)
    raise DemoError(f"The endpoint did not answer /ping within {ENDPOINT_START_SECONDS} s: see {shown(log)}.")


def held_out_photo(data):
    """The first val photo: its JPEG as packed in val.rec (never trained on) and where it was taken."""
    from mxnet import recordio  # imported here: MXNet takes seconds to import, the other stages do not need it

    val = [row for row in read_tsv(data / "photos.tsv") if row["split"] == "val"]
    records = recordio.MXIndexedRecordIO(str(data / "val.idx"), str(data / "val.rec"), "r")
    try:
        _, jpeg = recordio.unpack(records.read_idx(0))  # records follow photos.tsv's order
    finally:
        records.close()
    row, cell = val[0], read_tsv(data / "cells.tsv")[int(val[0]["class"])]
    lat, lng = float(row["lat"]), float(row["lng"])
    place = reverse_geocode(lat, lng)
    photo = Photo(row["photo"], lat, lng, place["city"], place["state"], place["country_code"], int(row["class"]),
                  cell["token"], ", ".join(filter(None, [cell["place"], cell["admin1"], cell["country_code"]])))
    return photo, jpeg


def mention_the_bot(bot, out, endpoint):
    """Step 04's own code, offline: a signed webhook POST queues the mention, Lambda's SQS trigger hands it to the
    worker, the worker asks the endpoint and, in dry-run mode, writes the reply it would post into `out`."""
    photo, jpeg = held_out_photo(out / "data")
    print(f"      The photo: {photo.name}, a val photo the network never trained on")
    return photo, jpeg, ask_the_bot(bot, out, endpoint, jpeg)


def ask_the_bot(bot, out, endpoint, jpeg):
    """A mention of the bot with the photo `jpeg`, through the webhook, the queue and the worker: (the reply text,
    the predictions the worker got from the endpoint)."""
    stage_config = loader.load(bot.folder, "stage_config")
    settings = stage_config.stage_settings(BOT_STAGE, bot.folder / ".chalice" / "config.json")
    os.environ.update(settings, DRY_RUN="1", DRY_RUN_DIR=str(out), AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=endpoint)
    app = loader.load(bot.folder, "app").app
    setup_aws = loader.load(bot.folder, "setup_aws")
    local_worker = loader.load(bot.folder, "local_worker")
    answers = endpoint_answers(loader.load(bot.folder, "chalicelib.aws_clients").SESSION)
    with stand_ins.aws_and_x(jpeg):
        setup_aws.create(BOT_STAGE, say=lambda line: None)
        print(f"      AWS emulated in-process by moto: setup_aws.py made queue {settings['QUEUE_NAME']} (+ its "
              f"dead-letter queue),\n      table {settings['TABLE_NAME']} and parameter {settings['X_SECRETS_PARAM']}")
        client = Client(app, project_dir=str(out))  # no stage config there: the settings above apply as they are
        event = stand_ins.mention(settings)
        body = json.dumps(event).encode()
        answer = client.http.post("/twitter/webhook", body=body, headers={
            "content-type": "application/json", "x-twitter-webhooks-signature": stand_ins.x_signature(body)})
        if answer.status_code != 200 or answer.json_body != {"queued": 1}:
            raise DemoError(f"The webhook answered {answer.status_code} {answer.body!r}, not one queued mention: "
                            f"check {shown(bot.folder)} with `{bot.test_command}`.")
        print(f"      POST /twitter/webhook: an X Activity API post.mention.create delivery, signed as X signs "
              f"-> {answer.json_body}; the SQS worker takes it")
        sqs = boto3.client("sqs")
        queue_url = sqs.get_queue_url(QueueName=settings["QUEUE_NAME"])["QueueUrl"]
        with contextlib.redirect_stdout(io.StringIO()):  # the worker's dry-run print: stage 5 shows the reply
            local_worker.drain(client, sqs, queue_url, wait_seconds=0)
    reply = dry_run_reply(out, event["data"]["payload"]["id"], bot)
    if len(answers) != 1:
        raise DemoError(f"The worker asked the endpoint {len(answers)} times for one mention, not once: check "
                        f"{shown(bot.folder)} with `{bot.test_command}`.")
    return reply, answers[0]["predictions"]


def endpoint_answers(session):
    """A list that gets each answer the bot's clients of `session` receive from the endpoint (InvokeEndpoint), read
    through botocore's events and handed on unchanged: the demo shows what the bot was told without asking again."""
    answers = []

    def keep(parsed, **_):
        body = parsed["Body"].read()
        answers.append(json.loads(body))
        parsed["Body"] = StreamingBody(io.BytesIO(body), len(body))

    session.events.register("after-call.sagemaker-runtime.InvokeEndpoint", keep)
    return answers


def dry_run_reply(out, tweet_id, bot):
    """The reply the worker wrote in dry-run mode (reply-<id>.txt); its map (reply-<id>.png) becomes reply.png."""
    text, image = out / f"reply-{tweet_id}.txt", out / f"reply-{tweet_id}.png"
    if not text.is_file() or not image.is_file():
        raise DemoError(f"The worker wrote no dry-run reply ({text.name} and {image.name} in {shown(out)}): see the "
                        f"error above, and check {shown(bot.folder)} with `{bot.test_command}`.")
    image.rename(out / "reply.png")
    return text.read_text(encoding="utf-8").strip()


def ring_the_truth(out, bot_folder, predictions, truth):
    """reply.png: the bot's map of these guesses with a ring where the photo was taken (the bot on X draws none:
    X strips a photo's GPS EXIF)."""
    if truth:
        map_image = loader.load(bot_folder, "chalicelib.map_image")
        (out / "reply.png").write_bytes(map_image.draw_map(predictions, truth=truth))
        print(f"      On {shown(out / 'reply.png')}, the ring is where the photo was taken.")


def show_result(out, reply, where):
    """Stage 5: the reply as the bot would post it, then `where` the photo was taken and how far off the guesses are."""
    print(f"      The reply, exactly as the bot would post it (with {shown(out / 'reply.png')} attached):\n")
    print(f"{reply}\n")
    print("      " + where.replace("\n", "\n      "))


def held_out_result(out, photo, jpeg, reply, predictions):
    """The toy world's stage 5: the reply, the truth, how far off the best guess is; the pictures next to
    summary.json; the predictions, each with its distance from the photo."""
    km = photo_input.km_from(photo.lat, photo.lng, predictions)
    near = ", ".join(filter(None, [photo.place, photo.admin1, photo.country_code]))
    right = "its own cell, whose photos' mean position is" if predictions[0]["cell"] == photo.cell_token else "a cell"
    show_result(out, reply, f"The photo was taken at {photo.lat:.2f}, {photo.lng:.2f}, near {near}, in cell "
                            f"{photo.cell} ({photo.cell_place}).\nThe best guess is {right} {km[0]:,.0f} km away from it.")
    shutil.copy(out / "data" / "cells.png", out / "cells.png")
    shutil.copy(out / "model" / "output" / "curves.png", out / "curves.png")
    (out / "photo.jpg").write_bytes(jpeg)
    return [dict(guess, km_from_photo=round(off, 1)) for guess, off in zip(predictions, km)]


def port_is_free(port):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as serve.py's server does
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def answers_ping(url):
    try:
        with urllib.request.urlopen(f"{url}/ping", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def reverse_geocode(lat, lng):
    import reverse_geocode  # the same offline geocoder that names the cells in step 01

    return reverse_geocode.search([(lat, lng)])[0]


def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def ratio(share, baseline_share):
    """How many times the baseline's share; None when the baseline has none."""
    return round(share / baseline_share, 1) if baseline_share else None

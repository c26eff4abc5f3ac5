"""`make demo`: WhereML from photos to a reply on X, offline, on this machine, in about a minute.

    python demo.py [--tree solutions|steps|DIR] [--open-todos ask|solution|stop] [--quick] [--port 0] [--out build/demo]

1. sample data      01_data/prepare.py renders the toy world                  -> build/demo/data
2. training         02_train/launch.py --local trains the network               -> build/demo/model
3. the endpoint     03_host/serve.py on a free 127.0.0.1 port
4. the bot          04_bot/app.py gets a signed mention of a held-out photo: webhook -> SQS -> worker ->
                    endpoint -> the reply, in dry-run mode
5. the result       the reply as it would be posted, where the photo was really taken, and
                    build/demo/{reply.png, cells.png, curves.png, summary.json}

--tree says whose code runs: solutions/ (the default, the host's) or steps/ (yours: `make demo TREE=steps`). A step
of yours with TODOs still open runs the solution instead if you say so (--open-todos solution), or when asked; the
output says whose code ran, step by step.

Nothing leaves this machine, even where AWS or X credentials are set: AWS (SQS, DynamoDB, SSM) is emulated
in-process by moto with fake credentials, X's media host is stood in for by `responses`, and the endpoint is the
local one. Ctrl-C stops every process the demo started.
"""
import argparse
import base64
import contextlib
import csv
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

import boto3
import responses
from chalice.test import Client
from moto import mock_aws
from moto.core.models import override_responses_real_send

from workshop import hints, loader, manifest, step_tests

ROOT = Path(__file__).resolve().parent
SOLUTIONS = ROOT / "solutions"
PY = sys.executable
# The full demo reaches >= 90 % of val photos within 2500 km in well under a minute of training on 2 cores;
# --quick is the size the end-to-end test runs.
SIZES = {"full": {"photos": 2000, "epochs": 6}, "quick": {"photos": 600, "epochs": 2}}
STAGES = 5
PID_FILE = "demo.pid"
BOT_STAGE = "dev"  # the bot runs with this stage's settings from .chalice/config.json, in dry-run mode
PHOTO_URL = "https://pbs.twimg.com/media/whereml-demo.jpg"
ENDPOINT_START_SECONDS = 60

# Fake credentials replace any real ones in this process and the processes it starts, so that nothing can reach a
# real AWS account or X. setup_aws.py stores the X ones in moto's SSM, where the webhook reads its secret.
OFFLINE = {
    "AWS_ACCESS_KEY_ID": "whereml-demo",
    "AWS_SECRET_ACCESS_KEY": "whereml-demo",
    "AWS_SESSION_TOKEN": "whereml-demo",
    "AWS_SECURITY_TOKEN": "whereml-demo",
    "AWS_DEFAULT_REGION": "us-west-2",
    "AWS_REGION": "us-west-2",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "SAGEMAKER_USER_CONFIG_OVERRIDE": str(ROOT / "sagemaker-config.yaml"),
    "X_CONSUMER_KEY": "demo-consumer-key",
    "X_CONSUMER_SECRET": "demo-consumer-secret",
    "X_ACCESS_TOKEN": "demo-access-token",
    "X_ACCESS_TOKEN_SECRET": "demo-access-token-secret",
    "X_BEARER_TOKEN": "demo-bearer-token",
}


class DemoError(Exception):
    """Something went wrong that the person running the demo can act on: the message says what to do."""


@dataclass
class StepCode:
    """The code one stage runs: a step folder, whose it is, and how to test it."""

    number: int
    folder: Path
    whose: str  # "your code (steps/01_data)" or "the solution (solutions/01_data), 2 TODOs open in yours"
    test_command: str


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


def main(argv=None):
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True, errors="backslashreplace")
    go_offline()
    signal.signal(signal.SIGTERM, _interrupt)
    size = SIZES["quick" if args.quick else "full"]
    processes = Processes()
    started = time.perf_counter()
    try:
        code = whose_code(args.tree, args.open_todos, args.tree_name)
        claim(args.out)
        summary = run(args.out, size, args.port, processes, code)
        summary["seconds"]["total"] = round(time.perf_counter() - started, 1)
        (args.out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        print(f"Done in {summary['seconds']['total']:.0f} s. See {shown(args.out)}: reply.png, cells.png, curves.png, "
              "summary.json.")
        return 0
    except DemoError as error:
        print(f"demo.py: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        processes.stop_all()
        print(f"\nInterrupted: the endpoint and every process the demo started are stopped. {shown(args.out)} "
              "holds what was done so far; `make demo` starts again from scratch.", file=sys.stderr)
        return 130
    finally:
        processes.stop_all()
        release(args.out)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", default="solutions",
                        help="whose code runs: solutions (default), steps (yours), or a folder laid out like them")
    parser.add_argument("--open-todos", choices=OPEN_TODOS, default="ask",
                        help="a step of --tree with TODOs still open: ask (default; stop when no one can answer), "
                             "use the solution for it, or stop")
    parser.add_argument("--quick", action="store_true", help=f"a smaller run: {SIZES['quick']}")
    parser.add_argument("--port", type=int, default=0, help="the local endpoint's port (0: a free one)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "demo", help="where the demo writes")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is not a port: give 0 (a free one) or a number up to 65535.")
    args.out = args.out.resolve()
    args.tree_name, args.tree = args.tree, step_tests.tree_folder(args.tree, ROOT)
    if not args.tree.is_dir():
        parser.error(f"--tree {args.tree_name} is no folder: give solutions, steps (your code), or a folder laid out "
                     "like them.")
    return args


# ------------------------------------------------------------------------------------------------ whose code runs

OPEN_TODOS = ("ask", "solution", "stop")
STAGE_NAMES = {1: "sample data", 2: "training", 3: "the endpoint", 4: "the bot"}  # stage number = step number


def whose_code(tree, open_todos, tree_name):
    """Each step's folder for the stages: `tree`'s, or the solution's where `tree`'s has TODOs open and the person
    running the demo chose so (--open-todos, or an answer at the keyboard). Prints the plan, one line a step."""
    code, unfinished = {}, []
    for step in manifest.steps(ROOT):
        folder = tree / step.folder
        if folder == step.solution:
            code[step.number] = solution_code(step)
            continue
        if not folder.is_dir():
            raise DemoError(f"{shown(folder)} is missing: `make reset-step {step.number}` restores the starter.")
        left = [todo.id for todo in hints.todos_left(step, folder)]
        if left:
            code[step.number] = solution_code(step, left)
            unfinished.append(f"   step {step.number} ({shown(folder)}): {todos(left)} open, {', '.join(left)}")
        else:
            test = f"make test-step {step.number}" + ("" if tree_name == "steps" else f" TARGET={tree_name}")
            code[step.number] = StepCode(step.number, folder, f"your code ({shown(folder)})", test)
    if unfinished and not chose_the_solutions(unfinished, open_todos):
        raise DemoError(
            "some steps have TODOs open:\n" + "\n".join(unfinished) + "\nFinish them (`make test-step N` says what "
            f"is missing), or run `make demo TREE={tree_name} OPEN_TODOS=solution` (python demo.py --tree {tree_name} "
            "--open-todos solution) to use the solution for each step with TODOs open.")
    print("Whose code runs:")
    for number, step_code in code.items():
        print(f"   {number}. {STAGE_NAMES[number]:<13} — {step_code.whose}")
    return code


def solution_code(step, open_in_yours=()):
    whose = f"the solution ({shown(step.solution)})"
    if open_in_yours:
        whose += f", {todos(open_in_yours)} open in yours ({', '.join(open_in_yours)})"
    return StepCode(step.number, step.solution, whose, f"make test-step {step.number} TARGET=solutions")


def chose_the_solutions(unfinished, open_todos):
    """Whether to run the solution for the steps with TODOs open: --open-todos, else the answer to a question
    where someone is at the keyboard."""
    if open_todos != "ask" or not sys.stdin.isatty():
        return open_todos == "solution"
    answer = input("Some steps have TODOs open:\n" + "\n".join(unfinished) + "\nUse the solution for those steps "
                   "(the output says so)? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def todos(ids):
    return f"{len(ids)} TODO{'s' if len(ids) > 1 else ''}"


# ----------------------------------------------------------------------------------------------------- the stages


def run(out, size, port, processes, code):
    """The five stages, each announced with whose code it runs, timed, and summed up in summary.json."""
    seconds = {}

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

    dataset = stage(1, "data", "Sample data: the toy world's geotagged photos, cut into S2 cells (step 01)",
                    lambda: make_data(code[1].folder, out, size["photos"], processes))
    metrics = stage(2, "training", f"Training on this CPU, {size['epochs']} epochs (step 02, launch.py --local)",
                    lambda: train(code[2].folder, out, size["epochs"], processes))
    endpoint = stage(3, "endpoint", "The endpoint on this machine (step 03, serve.py)",
                     lambda: start_endpoint(code[3].folder, out, port, processes))
    photo, jpeg, reply = stage(4, "bot", "A mention of the bot with a held-out photo (step 04, DRY_RUN=1)",
                               lambda: mention_the_bot(code[4], out, endpoint))
    predictions = stage(5, "result", "The result", lambda: show_result(out, endpoint, photo, jpeg, reply))
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


def make_data(folder, out, photos, processes):
    data = out / "data"
    command = [PY, str(folder / "prepare.py"), "--source", "sample", "--limit", str(photos), "--out", str(data)]
    processes.run(command, out / "prepare.log", "Making the sample data failed")
    about = json.loads((data / "dataset.json").read_text())
    print(f"      {shown(command)}\n      {about['photos']} photos in {about['cells']} cells ({about['train']} train, "
          f"{about['val']} val) in {shown(data)}")
    return about


def train(folder, out, epochs, processes):
    model = out / "model"
    command = [PY, str(folder / "launch.py"), "--local", "--data", str(out / "data"), "--model-dir", str(model),
               "--epochs", str(epochs)]
    processes.run(command, out / "train.log", "Training failed")
    metrics = json.loads((model / "metrics.json").read_text())
    training = sum(epoch.get("seconds", 0) for epoch in metrics["epochs"])
    print(f"      {shown(command)}\n      {training:.0f} s of training; the model is in {shown(model)}\n")
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


def start_endpoint(folder, out, port, processes):
    """serve.py on a free port (the one asked for when it is free); returns its URL once /ping answers."""
    if port and not port_is_free(port):
        print(f"      Port {port} is busy (another program listens on it): using a free port instead.")
        port = 0
    log = out / "serve.log"
    command = [PY, str(folder / "serve.py"), "--model-dir", str(out / "model"), "--port", str(port)]
    server = processes.start(command, log)
    deadline = time.monotonic() + ENDPOINT_START_SECONDS
    while time.monotonic() < deadline:
        found = re.search(r" on (http://127\.0\.0\.1:\d+)", log.read_text(errors="replace"))
        if found and answers_ping(found[1]):
            print(f"      {shown(command)}\n      {found[1]} answers /ping")
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
    worker, the worker asks the endpoint and, in dry-run mode, prints the reply it would post."""
    photo, jpeg = held_out_photo(out / "data")
    print(f"      The photo: {photo.name}, a val photo the network never trained on")
    settings = stage_settings(bot.folder)
    os.environ.update(settings, DRY_RUN="1", DRY_RUN_DIR=str(out), AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=endpoint)
    app = loader.load(bot.folder, "app").app
    setup_aws = loader.load(bot.folder, "setup_aws")
    local_worker = loader.load(bot.folder, "local_worker")
    with aws_and_x_stand_ins(jpeg):
        setup_aws.create(BOT_STAGE, say=lambda line: None)
        print(f"      AWS emulated in-process by moto: setup_aws.py made queue {settings['QUEUE_NAME']} (+ its "
              f"dead-letter queue),\n      table {settings['TABLE_NAME']} and parameter {settings['X_SECRETS_PARAM']}")
        client = Client(app, project_dir=str(out))  # no stage config there: the settings above apply as they are
        body = json.dumps(mention(settings)).encode()
        answer = client.http.post("/twitter/webhook", body=body, headers={
            "content-type": "application/json", "x-twitter-webhooks-signature": x_signature(body)})
        if answer.status_code != 200 or answer.json_body != {"queued": 1}:
            raise DemoError(f"The webhook answered {answer.status_code} {answer.body!r}, not one queued mention: "
                            f"check {shown(bot.folder)} with `{bot.test_command}`.")
        print(f"      POST /twitter/webhook (signed as X signs) -> {answer.json_body}; the SQS worker takes it")
        sqs = boto3.client("sqs")
        queue_url = sqs.get_queue_url(QueueName=settings["QUEUE_NAME"])["QueueUrl"]
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            local_worker.drain(client, sqs, queue_url, wait_seconds=0)
    return photo, jpeg, dry_run_reply(printed.getvalue(), out, bot)


@contextlib.contextmanager
def aws_and_x_stand_ins(jpeg):
    """moto answers AWS in this process; `responses` serves the photo as X's media host and refuses anything else
    but the local endpoint."""
    with mock_aws(), responses.RequestsMock(assert_all_requests_are_fired=False) as x:
        override_responses_real_send(x)  # what moto does not serve goes to `responses`
        try:
            x.add_passthru("http://127.0.0.1")
            x.add(responses.GET, PHOTO_URL, body=jpeg, content_type="image/jpeg")
            yield
        finally:
            override_responses_real_send(None)


def show_result(out, endpoint, photo, jpeg, reply):
    """The reply, the truth, how far off the best guess is; the pictures next to summary.json."""
    geo = loader.load(SOLUTIONS / "02_train", "geo")
    predictions = ask_endpoint(endpoint, jpeg)["predictions"]
    best = predictions[0]
    off = float(geo.haversine_km(photo.lat, photo.lng, best["lat"], best["lng"]))
    print(f"      The reply, exactly as the bot would post it (with {shown(out / 'reply.png')} attached):\n")
    print(f"{reply}\n")
    where = ", ".join(filter(None, [photo.place, photo.admin1, photo.country_code]))
    print(f"      The photo was taken at {photo.lat:.2f}, {photo.lng:.2f}, near {where}, in cell {photo.cell} "
          f"({photo.cell_place}).")
    right = "its own cell, whose photos' mean position is" if best["cell"] == photo.cell_token else "a cell"
    print(f"      The best guess is {right} {off:,.0f} km away from it.")
    shutil.copy(out / "data" / "cells.png", out / "cells.png")
    shutil.copy(out / "model" / "output" / "curves.png", out / "curves.png")
    (out / "photo.jpg").write_bytes(jpeg)
    return [dict(guess, km_from_photo=round(float(geo.haversine_km(photo.lat, photo.lng, guess["lat"],
                                                                    guess["lng"])), 1)) for guess in predictions]


# ----------------------------------------------------------------------------------------- what the stages use


class Processes:
    """Every process the demo starts, each in its own process group, so that stopping it stops what it started."""

    def __init__(self):
        self.started = []

    def start(self, command, log):
        with open(log, "w") as output:
            process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append(process)
        return process

    def run(self, command, log, failure):
        if self.start(command, log).wait():
            raise DemoError(f"{failure}. The end of {shown(log)}:\n{tail(log)}")

    def stop_all(self):
        """SIGTERM to each running group (serve.py stops cleanly on it), SIGKILL to what is left 10 s later."""
        running = [process for process in self.started if process.poll() is None]
        for signal_number in (signal.SIGTERM, signal.SIGKILL):
            for process in running:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal_number)
            for process in running:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=10)
            running = [process for process in running if process.poll() is None]


def go_offline():
    """Fake credentials and a region in place of whatever is set, and no endpoint overrides but ours."""
    for name in list(os.environ):
        if name == "AWS_PROFILE" or name.startswith(("AWS_ENDPOINT_URL", "AWS_CONTAINER_", "AWS_WEB_IDENTITY")):
            del os.environ[name]
    os.environ.update(OFFLINE)


def claim(out):
    """Make `out` this demo's own empty folder, with its pid in demo.pid; refuse while another demo works in it."""
    pid_file = out / PID_FILE
    other = recorded_pid(pid_file)
    if other and is_running_demo(other):
        raise DemoError(f"A demo is already running (pid {other}, writing {shown(out)}): wait for it to finish, or "
                        f"stop it (Ctrl-C in its terminal, or `kill {other}`), then run `make demo` again.")
    if other:
        print(f"{shown(pid_file)} names pid {other}, which is no longer running: an earlier demo was stopped "
              "without cleaning up.")
    if out.exists() or out.is_symlink():
        if not made_by_a_demo(out):
            raise DemoError(f"{shown(out)} exists and was not made by demo.py, which empties its folder first: pass "
                            "--out with a new folder.")
        print(f"Removing the earlier demo's {shown(out)} to start clean.")
        try:
            shutil.rmtree(out)
        except OSError as error:
            raise DemoError(f"Cannot remove {shown(out)} ({error.strerror}): remove it yourself, then run "
                            "`make demo` again.") from None
    try:
        out.mkdir(parents=True)
        (out / PID_FILE).write_text(f"{os.getpid()}\n")
    except FileExistsError:
        raise DemoError(f"Another demo started in {shown(out)} at the same moment: let it finish.") from None
    except OSError as error:
        raise DemoError(f"Cannot write {shown(out)} ({error.strerror}): pass --out with a folder you can write "
                        "to.") from None


def made_by_a_demo(folder):
    """An empty folder, or one holding a file that every demo writes first."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    return not any(folder.iterdir()) or any((folder / name).exists() for name in (PID_FILE, "prepare.log"))


def release(out):
    """Remove demo.pid if it is this demo's."""
    if recorded_pid(out / PID_FILE) == os.getpid():
        (out / PID_FILE).unlink()


def recorded_pid(pid_file):
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def is_running_demo(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    try:  # a pid can be reused: make sure it is a demo (where /proc tells)
        return b"demo.py" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True


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


def ask_endpoint(url, jpeg):
    request = urllib.request.Request(f"{url}/invocations", data=jpeg, headers={
        "Content-Type": "image/jpeg", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as answer:
        return json.loads(answer.read())


def stage_settings(bot_folder):
    """The bot stage's environment variables, as `chalice deploy --stage dev` would give its Lambdas."""
    config = json.loads((bot_folder / ".chalice" / "config.json").read_text())
    return config["stages"][BOT_STAGE]["environment_variables"]


def mention(settings):
    """An Account Activity event: someone mentions the bot in a tweet with a photo."""
    bot_id, bot_name = settings["BOT_USER_ID"], settings["BOT_SCREEN_NAME"]
    posted_now = (int(time.time() * 1000) - 1288834974657) << 22  # X's post ids carry their time: the bot
    tweet = {                                                      # answers only recent posts
        "id_str": str(posted_now),
        "text": f"@{bot_name} where was this taken?",
        "user": {"id_str": "2", "screen_name": "demo_attendee"},
        "entities": {"user_mentions": [{"id_str": bot_id, "screen_name": bot_name}]},
        "extended_entities": {"media": [{"type": "photo", "media_url_https": PHOTO_URL}]},
    }
    return {"for_user_id": bot_id, "tweet_create_events": [tweet]}


def x_signature(body):
    """What X puts in x-twitter-webhooks-signature: HMAC-SHA256 of the body with the consumer secret, base64."""
    digest = hmac.new(OFFLINE["X_CONSUMER_SECRET"].encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def dry_run_reply(printed, out, bot):
    """The reply text from the worker's DRY_RUN print; its map becomes reply.png."""
    found = re.search(r"^DRY_RUN: .* would reply to tweet (\d+) \(map: ([^\n]+)\):\n(.*)", printed, re.M | re.S)
    if not found:
        raise DemoError(f"The worker printed no DRY_RUN reply (it printed {printed!r}): see the error above, and "
                        f"check {shown(bot.folder)} with `{bot.test_command}`.")
    Path(found[2]).rename(out / "reply.png")
    return found[3].strip()


def reverse_geocode(lat, lng):
    import reverse_geocode  # the same offline geocoder that names the cells in step 01

    return reverse_geocode.search([(lat, lng)])[0]


def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def ratio(share, baseline_share):
    """How many times the baseline's share; None when the baseline has none."""
    return round(share / baseline_share, 1) if baseline_share else None


def shown(path_or_command):
    """A path or a command as the reader would type it, from the repository's root."""
    if isinstance(path_or_command, list):
        return " ".join(["python"] + [shown(Path(part)) if part.startswith("/") else part
                                      for part in path_or_command[1:]])
    path = Path(path_or_command)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def tail(log, lines=15):
    return "\n".join(log.read_text(errors="replace").replace("\r", "\n").splitlines()[-lines:])


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # `kill` stops the demo as cleanly as Ctrl-C


if __name__ == "__main__":
    sys.exit(main())

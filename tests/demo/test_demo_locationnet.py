"""`make demo MODEL=build/locationnet [PHOTO=...]`: the bot's whole path (signed webhook, SQS, the worker, the endpoint,
the dry-run reply) with a LocationNet-shaped model on the real photo in photos/, run as make runs it."""
import json
import subprocess
import sys

import pytest
from PIL import Image

from real_photo_model import PHOTO, SOLUTIONS
from workshop import loader
from workshop.paths import ROOT

DEMO = [sys.executable, "-m", "workshop", "demo"]


@pytest.fixture(scope="module")
def demo(locationnet_near_the_cape, tmp_path_factory):
    """`python -m workshop demo --model <the folder>`: its result and its out folder."""
    out = tmp_path_factory.mktemp("demo") / "out"
    result = subprocess.run(DEMO + ["--model", str(locationnet_near_the_cape), "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result, out


def bot_reply_to_the_photo(model):
    """What the solutions' endpoint code answers for the photo, and the reply text and map the bot makes of it."""
    inference = loader.load(SOLUTIONS / "03_host", "inference")
    locator = inference.model_fn(str(model))
    prediction = inference.predict_fn(inference.input_fn(PHOTO.read_bytes(), "image/jpeg"), locator)
    predictions = json.loads(inference.output_fn(prediction, "application/json")[0])["predictions"]
    reply = loader.load(SOLUTIONS / "04_bot", "chalicelib.reply")
    map_image = loader.load(SOLUTIONS / "04_bot", "chalicelib.map_image")
    cape = (28.5619, -80.5772)  # the photo's GPS EXIF, rounded: the ring is drawn where it says
    truth = loader.load(SOLUTIONS / "01_data", "geotag").read_position(Image.open(PHOTO))
    assert truth == pytest.approx(cape, abs=1e-4)
    return reply.reply_text(predictions), map_image.draw_map(predictions, truth=truth)


def test_the_bot_replies_to_the_real_photo_through_every_stage(demo, locationnet_near_the_cape):
    result, out = demo
    text, picture = bot_reply_to_the_photo(locationnet_near_the_cape)
    assert "post.mention.create delivery, signed as X signs -> {'queued': 1}" in result.stdout
    assert f"\n{text}\n" in result.stdout, "the reply the worker wrote in dry-run mode, as it would be posted"
    assert (out / "reply.png").read_bytes() == picture, "the worker's map, and a ring where the photo was taken"
    assert "the ring is where the photo was taken" in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["reply"] == text and summary["model"] == str(locationnet_near_the_cape)
    assert set(summary["seconds"]) == {"endpoint", "bot", "result", "total"}, "no data or training stage"


def test_it_says_how_far_each_guess_is_from_where_the_photo_was_taken(demo):
    result, _ = demo
    assert "Its GPS EXIF says it was taken at 28.5619, -80.5772 (near Cape Canaveral, Florida, US)" in result.stdout
    best = next(line for line in result.stdout.splitlines() if line.strip().startswith("1.") and "km away" in line)
    assert float(best.rsplit(": ", 1)[1].split(" km")[0].replace(",", "")) < 100


@pytest.mark.parametrize(
    "arguments, code, words",
    [
        (["--photo", "photos/cape-canaveral-falcon9-dscovr.jpg"], 2, ["goes with --model build/locationnet"]),
        (["--model", "{empty}"], 1, ["holds no model", "`make locationnet`"]),
        (["--model", "locationnet"], 2, ["MODEL is a model folder", "MODEL=build/locationnet"]),
        (["--model", "{model}", "--photo", "{big}"], 1, ["MB; X takes photos up to 5 MB"]),
        (["--model", "{model}", "--photo", "README.md"], 1, ["is not a photo"]),
        (["--model", "{model}", "--photo", "missing.jpg"], 1, ["cannot read PHOTO="]),
    ],
    ids=["a photo without the real model", "no model there yet", "the old word for the model", "too big for X",
         "not a photo", "no such photo"],
)
def test_bad_input_is_one_sentence(arguments, code, words, tmp_path, locationnet_near_the_cape, too_big_for_x):
    (tmp_path / "empty").mkdir()
    arguments = [part.format(empty=tmp_path / "empty", model=locationnet_near_the_cape, big=too_big_for_x)
                 for part in arguments]
    result = subprocess.run(DEMO + arguments + ["--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == code and all(word in result.stderr for word in words), result.stderr


def test_a_demo_after_it_takes_the_same_folder_again(demo, locationnet_near_the_cape):
    """The LocationNet run makes no data stage: its folder must still be known as a demo's (plain `make demo`,
    MODEL= and TREE=steps all write build/demo after it)."""
    _, out = demo
    again = subprocess.run(DEMO + ["--model", str(locationnet_near_the_cape), "--out", str(out)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "Removing the earlier demo's" in again.stdout, "the earlier demo's files are removed, not refused"


def test_stage_5_shows_what_the_bot_was_told_without_asking_the_endpoint_again():
    """The demo reads the endpoint's answer as the bot's client receives it (botocore's after-call event) and hands
    it on unchanged: stage 5 needs no second request."""
    import io

    import boto3
    from botocore.response import StreamingBody
    from botocore.stub import Stubber

    from workshop.demo import stages

    body = b'{"predictions": [{"lat": 1.0, "lng": 2.0, "probability": 0.5}], "model": "m"}'
    session = boto3.session.Session(region_name="us-west-2")
    answers = stages.endpoint_answers(session)
    client = session.client("sagemaker-runtime")
    with Stubber(client) as stub:
        stub.add_response("invoke_endpoint", {"Body": StreamingBody(io.BytesIO(body), len(body))})
        answer = client.invoke_endpoint(EndpointName="whereml", Body=b"jpeg", ContentType="image/jpeg")
    assert answer["Body"].read() == body, "the bot must get the answer unchanged"
    assert answers == [json.loads(body)]

"""ask.py (`make ask PHOTO=...`): a real photo through the endpoint's code and the bot's reply code, its map, how far
off each guess is, whose code ran, and what it says about a toy model, open TODOs and bad input."""
import json
import shutil
import subprocess
import sys

import pytest

from real_photo_model import PHOTO, SOLUTIONS
from workshop import loader
from workshop.paths import ROOT


def load_ask():
    from workshop import ask
    return ask


@pytest.fixture(scope="module")
def asked(locationnet_near_the_cape, tmp_path_factory):
    """`make ask PHOTO=<the launch photo> MODEL=... TREE=solutions`, as make runs it: its output and its folder."""
    out = tmp_path_factory.mktemp("ask")
    result = subprocess.run(
        [sys.executable, "-m", "workshop", "ask", str(PHOTO), "--model", str(locationnet_near_the_cape), "--tree", "solutions",
         "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout, out


def endpoint_answer(model):
    """What the endpoint's code answers for the photo (solutions/03_host/code/inference.py)."""
    inference = loader.load(SOLUTIONS / "03_host", "inference")
    locator = inference.model_fn(str(model))
    prediction = inference.predict_fn(inference.input_fn(PHOTO.read_bytes(), "image/jpeg"), locator)
    return json.loads(inference.output_fn(prediction, "application/json")[0])["predictions"]


def test_the_reply_is_exactly_what_the_bot_would_post(asked, locationnet_near_the_cape):
    output, _ = asked
    reply = loader.load(SOLUTIONS / "04_bot", "chalicelib.reply")
    text = reply.reply_text(endpoint_answer(locationnet_near_the_cape))
    assert "exactly as the bot would post it" in output and f"\n{text}\n" in output
    assert text.startswith("📍 1. ") and "🇺🇸" in text.splitlines()[0], "the best guess: a cell in Florida"


def test_the_map_is_the_bots_map(asked, locationnet_near_the_cape):
    output, out = asked
    map_image = loader.load(SOLUTIONS / "04_bot", "chalicelib.map_image")
    picture = out / "cape-canaveral-falcon9-dscovr-reply.png"
    cape = load_ask().gps_position(PHOTO.read_bytes())  # the photo's GPS EXIF, drawn as a ring
    assert cape == pytest.approx((28.5619, -80.5772), abs=1e-4)
    assert picture.read_bytes() == map_image.draw_map(endpoint_answer(locationnet_near_the_cape), truth=cape)
    assert str(picture) in output


def test_each_guess_gets_its_distance_from_the_photos_gps(asked):
    output, _ = asked
    assert "Its GPS EXIF says it was taken at 28.5619, -80.5772 (near Cape Canaveral, Florida, US)" in output
    distances = [line for line in output.splitlines() if line.strip()[:2] in ("1.", "2.", "3.") and "km away" in line]
    assert len(distances) == 3
    best_km = float(distances[0].rsplit(": ", 1)[1].split(" km")[0].replace(",", ""))
    assert best_km < 100, "the cell nearest the pad is under 100 km from it"


def test_it_says_whose_code_ran(asked):
    output, _ = asked
    assert output.startswith("Whose code runs: the solutions in solutions (03_host/code/inference.py")
    assert "The model: LocationNet RN101-5k500" in output and "not about real places" not in output


def run(*arguments):
    """ask.main in this process: its output, or the paragraph it stops with."""
    try:
        load_ask().main([str(argument) for argument in arguments])
    except SystemExit as stopped:
        assert stopped.code, "a refusal exits non-zero"
        return str(stopped.code)
    return None


def test_a_toy_model_says_its_answers_are_not_about_real_places(artifact, tmp_path, capsys):
    assert run(PHOTO, "--model", artifact("model"), "--tree", "solutions", "--out", tmp_path) is None
    output = capsys.readouterr().out
    assert "not about real places" in output and "`make locationnet`" in output
    assert output.count("📍") == 3, "and still answers, as the bot would"


def test_open_todos_in_the_code_it_runs_are_named(tmp_path, locationnet_near_the_cape):
    tree = tmp_path / "tree"
    for step in ("03_host", "04_bot"):
        shutil.copytree(SOLUTIONS / step, tree / step)
    reply = tree / "04_bot" / "chalicelib" / "reply.py"
    text = reply.read_text()
    start, end = text.index("    # BEGIN SOLUTION 04.5"), text.index("    # END SOLUTION", text.index("SOLUTION 04.5"))
    reply.write_text(text[:start] + '    raise NotImplementedError("TODO 04.5: the reply text")\n' + text[end:])
    stopped = run(PHOTO, "--model", locationnet_near_the_cape, "--tree", tree, "--out", tmp_path)
    assert stopped and "TODO 04.5 open" in stopped and "TREE=solutions" in stopped


@pytest.mark.parametrize(
    "photo, model, words",
    [
        ("missing.jpg", None, ["cannot read PHOTO=missing.jpg", "JPEG or PNG"]),
        (ROOT / "README.md", None, ["is not a photo Pillow can read", "JPEG or PNG"]),
        ("{big}", None, ["MB; X takes photos up to 5 MB"]),
        (PHOTO, "empty", ["holds no model", "`make locationnet`"]),
    ],
    ids=["no such photo", "not a photo", "too big for X", "no model in the folder"],
)
def test_bad_input_is_one_paragraph(photo, model, words, tmp_path, locationnet_near_the_cape, too_big_for_x):
    """ask and `make demo MODEL=...` read a photo and check a model folder with the same code (workshop/photo.py)."""
    (tmp_path / "empty").mkdir()
    photo = too_big_for_x if photo == "{big}" else photo
    model = tmp_path / model if model else locationnet_near_the_cape
    stopped = run(photo, "--model", model, "--tree", "solutions", "--out", tmp_path)
    assert stopped and all(word in stopped for word in words), stopped


def test_a_photo_without_gps_says_so(tmp_path, locationnet_near_the_cape, capsys):
    from PIL import Image

    Image.open(PHOTO).save(tmp_path / "no-gps.jpg")  # Pillow writes no EXIF unless asked
    assert run(tmp_path / "no-gps.jpg", "--model", locationnet_near_the_cape, "--tree", "solutions",
               "--out", tmp_path) is None
    assert "no GPS position in its EXIF" in capsys.readouterr().out

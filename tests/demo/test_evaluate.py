"""evaluate.py (`make evaluate`): the shares within 1/25/200/750/2500 km on known positions; LocationNet (a small
network in its format) on a stand-in MediaEval 2016 test set on 127.0.0.1, fp32 and int8; a step-02 model on its
validation photos; the published rows with their sources; the map of the errors; one real photo answered."""
import json
import re
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

import mediaeval_stand_in as stand_in
from workshop import evaluate, loader
from workshop.paths import ROOT

tiny = loader.load(ROOT / "tests", "tiny_locationnet")
PARIS, TOKYO, LIMA, CAPE_TOWN = ({"token": t, "lat": lat, "lng": lng} for t, lat, lng in tiny.GRIDS)
PUBLISHED_ROWS = [
    ("PlaNet, Im2GPS test set [1]", "8.4 % 24.5 % 37.6 % 53.6 % 71.3 %"),
    ("LocationNet, Placing Task 2016 test set [2]", "6.2 % 13.5 % 20.8 % 35.6 % 55.2 %"),
]


def test_shares_are_those_of_the_distances_from_each_photo_to_its_best_guess():
    photos = [
        (b"", 48.8584, 2.2945),  # the Eiffel Tower, guessed Paris (the cell's point is 4.2 km away)
        (b"", 48.8566, 2.3522),  # exactly Paris's point, guessed Paris
        (b"", 50.8503, 4.3517),  # Brussels, guessed Paris: 264 km
        (b"", 35.6586, 139.7454),  # Tokyo, guessed Lima: the other side of the world
    ]
    evaluation = evaluate.Evaluation("test", photos, np.array([0, 0, 0, 2]), [PARIS, TOKYO, LIMA, CAPE_TOWN])
    assert evaluation.within == {1: 0.25, 25: 0.5, 200: 0.5, 750: 0.75, 2500: 0.75}
    assert evaluation.km[0] == pytest.approx(4.2, abs=0.1) and evaluation.km[2] == pytest.approx(264, abs=1)
    assert [guess["token"] for guess in evaluation.guesses] == [PARIS["token"]] * 3 + [LIMA["token"]]


@pytest.fixture(scope="module")
def locationnet(tmp_path_factory):
    """A small network in LocationNet's files, with its int8 copy calibrated on real photos (quantize.py)."""
    folder = tiny.write_locationnet(tmp_path_factory.mktemp("locationnet"))
    photos = tmp_path_factory.mktemp("photos")
    for index in range(8):
        (photos / f"{index}.jpg").write_bytes(stand_in.photo_jpeg(index))
    quantize = loader.load(ROOT / "solutions" / "03_host", "quantize")
    quantize.main(["--model-dir", str(folder), "--photos", str(photos), "--min-agreement", "0"])
    return folder


@pytest.fixture(scope="module")
def locationnet_run(locationnet, tmp_path_factory, moto_server):
    """`make evaluate MODEL=<LocationNet> N=6` against the stand-in buckets: what it printed and wrote."""
    out, testsets = tmp_path_factory.mktemp("evaluate"), tmp_path_factory.mktemp("testsets")
    with pytest.MonkeyPatch.context() as patch, stand_in.buckets(patch, moto_server):
        printed = run(["--model", str(locationnet), "--photos", "6", "--out", str(out), "--testsets", str(testsets)])
    return printed, out, testsets


def run(argv):
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        evaluate.main(argv)
    return buffer.getvalue()


def test_locationnet_answers_the_test_photos_in_fp32_and_int8(locationnet_run):
    printed, _, _ = locationnet_run
    for row in ("LocationNet fp32, MediaEval 2016", "LocationNet int8, MediaEval 2016"):
        line = next((line for line in printed.splitlines() if line.startswith(row)), None)
        assert line, f"the table has no row {row!r}:\n{printed}"
        assert line.split()[-1] == "5", "5 photos answered: the 6th is missing on S3"
    assert "5 fetched, 1 missing on S3, 0 unreadable" in printed


def test_the_published_rows_are_printed_with_their_sources(locationnet_run):
    printed, out, _ = locationnet_run
    for name, shares in PUBLISHED_ROWS:
        rows = [" ".join(line[len(name):].split()) for line in printed.splitlines() if line.startswith(name)]
        assert rows == [shares], f"the published row {name} {shares} is not in the table:\n{printed}"
    assert '[1] T. Weyand, I. Kostrikov, J. Philbin, "PlaNet - Photo Geolocation with Convolutional Neural Networks"' \
           ", ECCV 2016." in printed
    assert "[2] The geo-location tutorial of LocationNet (RN101-5k500)" in printed
    assert "github.com/multimedia-berkeley/tutorials" in printed
    assert (out / "table.txt").read_text() in printed, "table.txt holds the table as printed"


def test_the_shares_printed_are_those_of_results_json(locationnet_run):
    printed, out, _ = locationnet_run
    results = json.loads((out / "results.json").read_text())
    fp32 = results["models"][0]
    line = next(line for line in printed.splitlines() if line.startswith(fp32["name"]))
    assert [float(part) for part in line.split()[-11:-1:2]] == [
        round(fp32["within_km"][str(km)] * 100, 1) for km in (1, 25, 200, 750, 2500)
    ]


def test_the_errors_are_drawn_on_a_map(locationnet_run):
    _, out, _ = locationnet_run
    maps = sorted(path.name for path in out.glob("errors-*.png"))
    assert maps == ["errors-locationnet-fp32-mediaeval-2016.png", "errors-locationnet-int8-mediaeval-2016.png"]
    with Image.open(out / maps[0]) as picture:
        assert picture.size == (1440, 720)
        map_image = loader.load(ROOT / "solutions" / "04_bot", "chalicelib.map_image")
        basemap = map_image.basemap_of(map_image.WORLD)  # the world as the map draws it
        changed = np.abs(np.asarray(picture.convert("RGB"), dtype=int) - np.asarray(basemap, dtype=int)).sum(axis=2)
    assert (changed[:650] > 0).sum() > 50, "each photo's error is a line on the map"


def test_one_real_photo_is_answered_as_the_bot_replies(locationnet_run):
    _, out, _ = locationnet_run
    reply = (out / "reply.txt").read_text()
    assert len(reply.strip().splitlines()) == 3 and "📍" in reply
    assert Image.open(out / "photo.jpg").format == "JPEG" and Image.open(out / "map.png").format == "PNG"


def test_a_second_run_fetches_nothing(locationnet, locationnet_run, tmp_path, monkeypatch):
    _, _, testsets = locationnet_run
    monkeypatch.setenv("LOCATIONNET_URL", "http://127.0.0.1:9/models/")  # nothing listens there
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    printed = run(["--model", str(locationnet), "--photos", "4", "--out", str(tmp_path), "--testsets", str(testsets)])
    assert "4 fetched, 0 missing on S3" in printed


def test_a_step_02_model_is_evaluated_on_its_validation_photos(artifact, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(artifact("model"), model)
    printed = run(["--model", str(model), "--data", str(artifact("data")), "--photos", "40", "--out", str(tmp_path)])
    line = next((line for line in printed.splitlines() if line.startswith("Step-02 model fp32, val photos")), "")
    assert line.split()[-1:] == ["40"], f"the step-02 model answers 40 validation photos:\n{printed}"
    shares = [float(part) for part in line.split()[-11:-1:2]]
    assert shares == sorted(shares) and shares[-1] > 50, "a trained toy model places most val photos within 2500 km"
    assert (tmp_path / "errors-step-02-model-fp32-val-photos-toy-world.png").is_file()
    assert not (tmp_path / "reply.txt").exists(), "the toy model's answers are not shown as a real photo's"


@pytest.mark.parametrize("argv, message", [
    (["--model", "no-such-folder"], "is no folder"),
    (["--model", ".", "--data", "no-such-data"], "has no val.rec"),
    (["--testset", "im2gps", "--model", "LOCATIONNET"], "no test set 'im2gps'"),
], ids=["no such model", "no dataset", "unknown test set"])
def test_bad_input_is_one_sentence(argv, message, locationnet, tmp_path):
    argv = [str(locationnet) if arg == "LOCATIONNET" else arg for arg in argv]
    with pytest.raises(SystemExit, match=message):
        run(argv + ["--out", str(tmp_path)])


def test_without_a_model_it_says_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.setattr(evaluate, "MODELS", [tmp_path / "model", tmp_path / "locationnet"])
    with pytest.raises(SystemExit, match="make locationnet.*make train"):
        run(["--out", str(tmp_path / "out")])


# -o: the venv is there (this test runs in it); never install from a test.
MAKE = ["make", "-s", "-C", str(ROOT), "-o", ".venv/.installed", "-o", "build/lambda-wheels/.fetched"]


def test_make_locationnet_then_make_evaluate_from_a_stand_in_bucket(monkeypatch, tmp_path, moto_server):
    """The whole way, as the host types it: the model's files, then its int8 copy on the test set's first photos,
    then the table; LOCATIONNET_URL and AWS_ENDPOINT_URL_S3 point at moto's S3 server on 127.0.0.1."""
    import mxnet as mx

    standin_bucket = loader.load(ROOT / "tests", "standin_bucket")
    model, testsets = tmp_path / "locationnet", tmp_path / "testsets"
    mx.random.seed(24)  # the network's weights: the same each run, and so its int8 copy's agreement
    with stand_in.buckets(monkeypatch, moto_server) as s3:
        for name, body in standin_bucket.locationnet_files(tmp_path / "files").items():
            s3.put_object(Bucket=stand_in.TUTORIAL, Key=f"models/{name}", Body=body, ACL="public-read")
        where = [f"LOCATIONNET={model}", f"TESTSETS={testsets}", f"EVALUATION={tmp_path / 'evaluate'}"]
        made = subprocess.run(MAKE + ["locationnet", "INT8_PHOTOS=5"] + where, capture_output=True, text=True,
                              timeout=600)
        assert made.returncode == 0, f"make locationnet failed:\n{made.stdout}\n{made.stderr}"
        assert re.search(r"int8 and fp32 on 5 photos of .*\n.*best guess for [\d.]+%; [\d.]+% of their top-3",
                         made.stdout), made.stdout
        assert {"cells.tsv", "model-int8-symbol.json", "model-int8-0000.params"} <= {p.name for p in model.iterdir()}
        evaluated = subprocess.run(MAKE + ["evaluate", f"MODEL={model}", "N=5"] + where, capture_output=True,
                                   text=True, timeout=600)
    assert evaluated.returncode == 0, f"make evaluate failed:\n{evaluated.stdout}\n{evaluated.stderr}"
    assert "LocationNet int8, MediaEval 2016" in evaluated.stdout and "PlaNet, Im2GPS test set [1]" in evaluated.stdout
    assert (tmp_path / "evaluate" / "errors-locationnet-int8-mediaeval-2016.png").is_file()


def test_a_toy_model_s_rows_say_they_are_the_toy_world(artifact, tmp_path):
    """The sample data's model places photos in a synthetic world of a few dozen cells: its shares must not stand
    beside PlaNet's without a word."""
    model = tmp_path / "model"
    shutil.copytree(artifact("model"), model)
    printed = run(["--model", str(model), "--data", str(artifact("data")), "--photos", "8", "--out", str(tmp_path)])
    rows = [line for line in printed.splitlines() if line.startswith("Step-02 model fp32")]
    assert rows and all("toy world" in row for row in rows), f"the toy model's row says toy world:\n{printed}"
    assert "not comparable with the rows below" in printed


def test_the_time_for_the_photos_asked_is_said_before_they_are_answered(artifact, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(artifact("model"), model)
    printed = run(["--model", str(model), "--data", str(artifact("data")), "--photos", "8", "--out", str(tmp_path)])
    before = re.search(r"Step-02 model: 8 photos take about \d+ (s|min)", printed)
    assert before, f"before answering, make evaluate says how long the photos asked will take:\n{printed}"
    assert before.start() < printed.index("answered by"), "the estimate comes before the run"


def test_the_table_says_how_many_photos_each_model_answered(artifact, tmp_path):
    """`make slides` shows table.txt on "How good is it?": the photo count must be in it."""
    model = tmp_path / "model"
    shutil.copytree(artifact("model"), model)
    run(["--model", str(model), "--data", str(artifact("data")), "--photos", "8", "--out", str(tmp_path)])
    assert "Step-02 model: 8 photos answered, of 8 validation photos" in (tmp_path / "table.txt").read_text()


def test_no_photo_answered_says_so_and_writes_valid_json(artifact, tmp_path):
    """Every photo refused by serving (here: records that hold no JPEG): no `nan %`, and results.json is JSON."""
    import mxnet as mx

    data = tmp_path / "data"
    shutil.copytree(artifact("data"), data)
    records = mx.recordio.MXIndexedRecordIO(str(data / "val.idx"), str(data / "val.rec"), "w")
    for key in range(3):
        header = mx.recordio.IRHeader(0, [0.0, 48.85, 2.35], key, 0)
        records.write_idx(key, mx.recordio.pack(header, b"not a photo"))
    records.close()
    model = tmp_path / "model"
    shutil.copytree(artifact("model"), model)
    printed = run(["--model", str(model), "--data", str(data), "--photos", "3", "--out", str(tmp_path / "out")])
    assert "nan" not in printed.lower(), printed
    assert "no photo" in printed, f"it says that no photo could be answered:\n{printed}"

    def refuse(constant):
        raise ValueError(f"results.json holds {constant}, which is not JSON")

    results = json.loads((tmp_path / "out" / "results.json").read_text(), parse_constant=refuse)
    assert [model["photos"] for model in results["models"]] == [0]

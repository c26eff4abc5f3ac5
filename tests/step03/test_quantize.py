"""quantize.py: an int8 copy of the network is kept only if it answers like the original, and model_fn serves it."""
import json
import re
import shutil
from pathlib import Path

import pytest

import mediaeval_stand_in as stand_in


@pytest.fixture(scope="module")
def quantized_dir(host, model_dir, data_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("int8") / "model"
    shutil.copytree(model_dir, folder)
    host("quantize").main(["--model-dir", str(folder), "--data", data_dir, "--compare", "60"])
    return str(folder)


def test_model_fn_serves_the_int8_copy_when_there_is_one(host, quantized_dir):
    int8 = host("inference").model_fn(quantized_dir)
    assert int8.model_name.endswith("(int8)"), "the answer's model name says it is the int8 copy"


def test_the_int8_copy_has_no_batch_norm_left_to_fold_at_start(quantized_dir):
    """MKLDNN folds a batch norm on a convolution's first run, in a copy of its weights: the copy is made without
    (batch_norm_folding.py), so that it starts sooner."""
    nodes = json.loads((Path(quantized_dir) / "model-int8-symbol.json").read_text())["nodes"]
    convolutions = [node for node in nodes if node["op"] == "_sg_mkldnn_conv"]
    assert convolutions and not [node["name"] for node in convolutions if node["attrs"].get("with_bn") == "true"]


def test_the_int8_copy_is_served_without_gradients(host, quantized_dir):
    """Serving never trains: a gradient the size of each weight would cost the start its zeroing and the endpoint
    its memory."""
    network = host("inference").model_fn(quantized_dir).network
    assert {param.grad_req for param in network.collect_params().values()} == {"null"}


@pytest.mark.parametrize("kind", ["step-02 model", "LocationNet"])
def test_the_int8_copy_starts_without_reading_the_fp32_network(host, quantized_dir, locationnet_dir, data_dir, kind,
                                                               tmp_path):
    """A serverless endpoint pays model_fn at every start from zero: with an int8 copy, nothing of fp32 is read."""
    folder = tmp_path / "model"
    if kind == "LocationNet":
        shutil.copytree(locationnet_dir, folder)
        host("quantize").main(["--model-dir", str(folder), "--data", data_dir, "--compare", "4", "--calibration", "2",
                               "--min-agreement", "0"])
        fp32 = folder / "RN101-5k500-0012.params"
    else:
        shutil.copytree(quantized_dir, folder)
        fp32 = folder / "model-0000.params"
    fp32.write_bytes(b"the fp32 weights: model_fn must not read them when the int8 copy is there")
    served = host("inference").model_fn(str(folder))
    assert served.model_name.endswith("(int8)") and len(served.cells) > 1


def test_int8_answers_like_fp32_on_validation_photos(host, quantized_dir, locator, val_photos):
    inference = host("inference")
    int8 = inference.model_fn(quantized_dir)
    same = exact = 0
    for jpeg, _ in val_photos:
        (cell, probability), (int8_cell, int8_probability) = [
            inference.predict_fn(inference.input_fn(jpeg, "image/jpeg"), model).top[0] for model in (locator, int8)
        ]
        same += cell["token"] == int8_cell["token"]
        exact += probability == int8_probability
    assert same / len(val_photos) >= 0.9, f"int8 agrees with fp32 on only {same}/{len(val_photos)} photos"
    assert exact < len(val_photos), "int8 gives fp32's very probabilities: model_fn must load the model-int8-* files"


def test_an_int8_copy_that_answers_differently_is_a_note_not_a_failure(host, model_dir, data_dir, tmp_path, capsys):
    folder = tmp_path / "model"
    shutil.copytree(model_dir, folder)
    host("quantize").main(  # returns: `make locationnet && make deploy ...` goes on with the fp32 network
        ["--model-dir", str(folder), "--data", data_dir, "--compare", "8", "--calibration", "2",
         "--min-agreement", "1.01"]
    )
    assert not host("int8").present(str(folder)), "a copy under --min-agreement must not be written"
    out = capsys.readouterr().out
    assert "the int8 copy was not kept" in out and f"the fp32 network in {folder} is in place and serves" in out, out


def test_quantize_makes_an_int8_copy_of_the_original_locationnet_files(host, locationnet_dir, data_dir, tmp_path):
    folder = tmp_path / "locationnet"
    shutil.copytree(locationnet_dir, folder)
    host("quantize").main(["--model-dir", str(folder), "--data", data_dir, "--compare", "40", "--min-agreement", "0.9"])
    served = host("inference").model_fn(str(folder))
    assert served.model_name == "LocationNet RN101-5k500 (int8)", "model_fn serves LocationNet's int8 copy"


@pytest.fixture(scope="module")
def real_photos(tmp_path_factory):
    """A folder of photos as the test set leaves them (<hash>.jpg), and a file that is no photo."""
    folder = tmp_path_factory.mktemp("photos")
    for index in range(24):
        (folder / f"{index:032x}.jpg").write_bytes(stand_in.photo_jpeg(index))
    (folder / "notes.jpg").write_text("not a photo")
    return folder


def test_locationnet_is_calibrated_and_checked_on_a_folder_of_real_photos(host, locationnet_dir, real_photos,
                                                                          tmp_path, capsys):
    folder = tmp_path / "locationnet"
    shutil.copytree(locationnet_dir, folder)
    host("quantize").main(["--model-dir", str(folder), "--photos", str(real_photos), "--min-agreement", "0.8"])
    out = capsys.readouterr().out
    found = re.search(r"on 24 photos of .* \(1 files there skipped.*\n.*best guess for ([\d.]+)%; ([\d.]+)% of their "
                      r"top-3", out)
    assert found, f"quantize.py must say on how many photos it compared and how well they agree; it printed:\n{out}"
    best, top3 = float(found.group(1)), float(found.group(2))
    assert best >= 80 and top3 >= 60, f"int8 LocationNet agrees with fp32 on only {best}% (top-3: {top3}%)"
    assert host("int8").present(str(folder)), "the int8 copy is written beside the LocationNet files"
    assert host("inference").model_fn(str(folder)).model_name == "LocationNet RN101-5k500 (int8)"


@pytest.mark.parametrize("photos, message", [
    ("missing", "is no folder"),
    ("empty", "holds no photo"),
], ids=["no such folder", "no photos in it"])
def test_a_photo_folder_without_photos_says_so(host, locationnet_dir, tmp_path, photos, message):
    folder = tmp_path / "locationnet"
    shutil.copytree(locationnet_dir, folder)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("no photos here")
    with pytest.raises(SystemExit, match=message):
        host("quantize").main(["--model-dir", str(folder), "--photos", str(tmp_path / photos)])
    assert not host("int8").present(str(folder))


def quantize_twice(host, folder, photos, capsys, *changes):
    """Quantize `folder` on `photos`, make the `changes` (to the folders or the arguments), quantize again: (the
    second run's output, whether the int8 copy was made again)."""
    arguments = ["--model-dir", str(folder), "--photos", str(photos), "--min-agreement", "0.8"]
    host("quantize").main(arguments)
    copy = folder / host("int8").PARAMS
    made = copy.stat().st_mtime_ns
    capsys.readouterr()
    for change in changes:
        change(folder, photos, arguments)
    host("quantize").main(arguments)
    return capsys.readouterr().out, copy.stat().st_mtime_ns != made


def test_a_rerun_on_the_same_files_and_photos_redoes_nothing(host, locationnet_dir, real_photos, tmp_path, capsys):
    folder = tmp_path / "locationnet"
    shutil.copytree(locationnet_dir, folder)
    out, made_again = quantize_twice(host, folder, real_photos, capsys)
    assert not made_again, "the same network, photos and settings: the calibration is not redone"
    assert "nothing to redo" in out and "the same best guess for" in out, out
    assert host("inference").model_fn(str(folder)).model_name == "LocationNet RN101-5k500 (int8)"


def test_a_refused_copy_is_not_tried_again_on_the_same_inputs(host, model_dir, data_dir, tmp_path, capsys):
    folder = tmp_path / "model"
    shutil.copytree(model_dir, folder)
    arguments = ["--model-dir", str(folder), "--data", data_dir, "--compare", "8", "--calibration", "2",
                 "--min-agreement", "1.01"]
    host("quantize").main(arguments)
    capsys.readouterr()
    host("quantize").main(arguments)
    out = capsys.readouterr().out
    assert "nothing to redo" in out and "the int8 copy was not kept" in out, out
    assert not host("int8").present(str(folder))


def another_setting(folder, photos, arguments):
    arguments += ["--calibration", "4"]


def another_photo(folder, photos, arguments):
    shutil.copy(sorted(photos.glob("*.jpg"))[0], photos / ("0" * 31 + "f.jpg"))


def the_network_changed(folder, photos, arguments):
    symbol = folder / "RN101-5k500-symbol.json"
    symbol.write_text(symbol.read_text() + "\n")


def the_copy_was_deleted(folder, photos, arguments):
    (folder / "model-int8-0000.params").unlink()


@pytest.mark.parametrize("change", [another_setting, another_photo, the_network_changed, the_copy_was_deleted])
def test_a_rerun_on_changed_inputs_calibrates_again(host, locationnet_dir, real_photos, tmp_path, capsys, change):
    folder, photos = tmp_path / "locationnet", tmp_path / "photos"
    shutil.copytree(locationnet_dir, folder)
    shutil.copytree(real_photos, photos)
    out, made_again = quantize_twice(host, folder, photos, capsys, change)
    assert made_again and "nothing to redo" not in out, out


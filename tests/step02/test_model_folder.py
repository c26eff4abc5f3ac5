"""model_folder.py: the folder step 03 serves, holding the trained network exactly as it was in memory."""
import json

import mxnet as mx
import numpy as np
import pytest
from PIL import Image

MEAN = (0.485, 0.456, 0.406)  # MAINTAINING.md: the one normalisation of the model folder contract
STD = (0.229, 0.224, 0.225)


def test_model_folder_holds_what_step_03_reads(trained, data, cells):
    model_dir, _ = trained
    for name in ("model-symbol.json", "model-0000.params", "cells.tsv", "model-config.json", "metrics.json"):
        assert (model_dir / name).is_file(), f"train.py should save {name} in SM_MODEL_DIR"
    assert (model_dir / "cells.tsv").read_bytes() == (data / "cells.tsv").read_bytes(), "copy cells.tsv as it is"
    config = json.loads((model_dir / "model-config.json").read_text())
    resize = json.loads((data / "dataset.json").read_text())["image_size"]
    assert config == {"resize": resize, "image_size": 56, "network": "resnet10_v1_narrow", "classes": len(cells)}
    symbol = mx.sym.load(str(model_dir / "model-symbol.json"))
    assert symbol.list_inputs()[0] == "data", "export the network hybridized, so that its input is called `data`"


def test_curves_png_shows_the_epochs(trained):
    curves = trained[0] / "output" / "curves.png"
    assert curves.is_file(), "train.py should draw curves.png in SM_OUTPUT_DATA_DIR"
    with Image.open(curves) as image:
        assert image.format == "PNG" and image.width > 300 and image.height > 150
        assert len(image.convert("RGB").getcolors(100000)) > 5, "curves.png looks blank"


def contract_batches(data, config, batch_size=64):
    """The val photos as MAINTAINING.md says step 03 sees them: short side `resize`, centre crop, MEAN/STD."""
    return mx.io.ImageRecordIter(
        path_imgrec=str(data / "val.rec"), data_shape=(3, config["image_size"], config["image_size"]),
        label_width=3, batch_size=batch_size, resize=config["resize"], verbose=False,
        mean_r=MEAN[0] * 255, mean_g=MEAN[1] * 255, mean_b=MEAN[2] * 255,
        std_r=STD[0] * 255, std_g=STD[1] * 255, std_b=STD[2] * 255,
    )


def test_saved_model_gives_the_same_predictions_as_before_saving(trained, data, trained_metrics):
    model_dir, _ = trained
    config = json.loads((model_dir / "model-config.json").read_text())
    symbol, params = str(model_dir / "model-symbol.json"), str(model_dir / "model-0000.params")
    net = mx.gluon.SymbolBlock.imports(symbol, ["data"], params)
    losses, top1 = [], []
    for batch in contract_batches(data, config):
        keep = batch.data[0].shape[0] - batch.pad
        scores = net(batch.data[0].as_in_context(mx.cpu())).asnumpy()[:keep].astype(np.float64)
        classes = batch.label[0].asnumpy()[:keep, 0].astype(int)
        assert scores.shape[1] == config["classes"], "the network should output one raw score per cell"
        log_softmax = scores - scores.max(1, keepdims=True)
        log_softmax -= np.log(np.exp(log_softmax).sum(1, keepdims=True))
        losses.extend(-log_softmax[np.arange(keep), classes])
        top1.extend(scores.argmax(1) == classes)
    # metrics.json holds what the network scored in memory, just before it was saved.
    assert np.mean(top1) == pytest.approx(trained_metrics["final"]["val_top1"], abs=1e-9)
    assert np.mean(losses) == pytest.approx(trained_metrics["final"]["val_loss"], rel=1e-4), (
        "The exported model scores the val photos differently from the network that was trained: export the "
        "trained, hybridized network with net.export(prefix, 0)."
    )

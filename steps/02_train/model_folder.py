"""The model folder of MAINTAINING.md that step 03 serves: the exported network, its cells, its sizes, its metrics."""
import json
import os
import shutil
import tempfile

import mxnet as mx

from curves import draw_curves


def check_writable(*folders):
    """Fail before training, not after it, when a folder cannot be written."""
    for folder in folders:
        try:
            os.makedirs(folder, exist_ok=True)
            tempfile.TemporaryFile(dir=folder).close()
        except OSError as error:
            raise SystemExit(
                f"Cannot write to {folder} ({error.strerror}): point SM_MODEL_DIR/--model-dir, "
                "SM_OUTPUT_DATA_DIR/--output-data-dir and --checkpoint-dir at folders you can write to."
            ) from None


def save(net, model_dir, output_dir, cells_tsv, config, history, baseline):
    """model-symbol.json, model-0000.params, cells.tsv, model-config.json, metrics.json; curves.png in output_dir."""
    # export needs a forward pass of the hybridized network, which a run resumed after its last epoch has not made.
    size = config["image_size"]
    net(mx.nd.zeros((1, 3, size, size), ctx=net.collect_params().list_ctx()[0]))
    net.export(os.path.join(model_dir, "model"), 0)
    shutil.copy(cells_tsv, os.path.join(model_dir, "cells.tsv"))
    with open(os.path.join(model_dir, "model-config.json"), "w") as file:
        json.dump(config, file, indent=1)
    with open(os.path.join(model_dir, "metrics.json"), "w") as file:
        json.dump({"final": history[-1], "baseline": baseline, "epochs": history}, file, indent=1)
    draw_curves(history, os.path.join(output_dir, "curves.png"))
    print("Saved the model in %s and curves.png in %s" % (model_dir, output_dir), flush=True)

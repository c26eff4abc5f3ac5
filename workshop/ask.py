"""`make ask PHOTO=photo.jpg`: your photo answered as the bot would reply, with its map, and how far off each guess is.

    python -m workshop ask PHOTO [--model build/locationnet] [--tree steps|solutions|DIR] [--out build/ask]

The photo goes through the endpoint's own code, 03_host/code/inference.py (model_fn, input_fn, predict_fn, output_fn),
and its answer through the bot's, 04_bot/chalicelib (reply_text, draw_map), of --tree: your steps/ by default, as
`make serve` runs them. When the photo carries a GPS position in its EXIF, each guess gets its distance from there.
"""
import argparse
import json
import re
import sys
import time
from pathlib import Path

from workshop import loader
from workshop.paths import ROOT, shown, tree_folder
from workshop.photo import GET_LOCATIONNET, Stop, check_model, distances, gps_position, read_photo

SOLUTIONS = ROOT / "solutions"
# What ask runs of each step, and so which TODOs must be done in --tree.
RUNS = {"03_host": ["code/inference.py"], "04_bot": ["chalicelib/reply.py", "chalicelib/map_image.py"]}
TODO_STUB = re.compile(r'NotImplementedError\("TODO (\d\d\.\d+):')


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m workshop ask", description=__doc__.splitlines()[0])
    parser.add_argument("photo", type=Path, help="a JPEG or PNG photo")
    parser.add_argument("--model", type=Path, default=ROOT / "build" / "locationnet",
                        help="a model folder: build/locationnet (make locationnet) or build/model (make train)")
    parser.add_argument("--tree", default="steps", help="whose code runs: steps (yours, the default) or solutions")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "ask", help="where the map goes")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(errors="backslashreplace")
    try:
        ask(args.photo, args.model, tree_folder(args.tree, ROOT), args.tree, args.out)
    except Stop as stop:
        sys.exit(f"make ask: {stop}")


def ask(photo, model, tree, tree_name, out):
    whose = whose_code(tree, tree_name)
    body = read_photo(photo)
    inference = loader.load(tree / "03_host", "inference")
    reply, map_image = (loader.load(tree / "04_bot", "chalicelib." + name) for name in ("reply", "map_image"))
    locationnet = loader.load(tree / "03_host", "locationnet")
    check_model(model, locationnet)
    print(f"Whose code runs: {whose}")

    refusal = loader.load(tree / "03_host", "refusal")
    try:
        data = inference.input_fn(body, "application/x-image")  # the photo checked, before the model loads
        started = time.perf_counter()
        locator = inference.model_fn(str(model))
        loaded = time.perf_counter()
        prediction = inference.predict_fn(data, locator)
    except refusal.Refused as refused:  # what the endpoint would answer with a 4xx
        raise Stop(f"the endpoint would refuse {photo} ({refused.status_code}): {refused.sentence}")
    answer = json.loads(inference.output_fn(prediction, "application/json")[0])
    answered = time.perf_counter()
    predictions = answer["predictions"]
    print("The model: {} in {} (model_fn {:.1f} s, the answer {:.2f} s).".format(
        answer["model"], shown(model), loaded - started, answered - loaded))
    if not locationnet.present(str(model)):
        print("\nThis is a model trained in the workshop, not LocationNet. Trained on the toy world (the sample data "
              "of `make data`), its answers are not about real places: a toy render of a place looks nothing like a "
              f"photo taken there. For real photos, {GET_LOCATIONNET}; then `make ask PHOTO={photo}`.")

    out.mkdir(parents=True, exist_ok=True)
    picture = out / (photo.stem + "-reply.png")
    picture.write_bytes(map_image.draw_map(predictions, truth=gps_position(body)))
    print(f"\nThe reply, exactly as the bot would post it (with {shown(picture)} attached; its ring, where the photo's "
          "GPS EXIF says it was taken, is ask's own):\n")
    print(reply.reply_text(predictions) + "\n")
    print(distances(body, predictions[: reply.TOP], reply))


def whose_code(tree, tree_name):
    """Which code runs, said in one line; Stop when a TODO it needs is still open in `tree`."""
    missing = [tree / step for step in RUNS if not (tree / step).is_dir()]
    if missing:
        raise Stop(f"{shown(missing[0])} is missing: TREE is steps (your code), solutions, or a folder laid out like them.")
    open_todos = sorted({todo for step, files in RUNS.items() for name in files
                         for todo in TODO_STUB.findall((tree / step / name).read_text(encoding="utf-8"))})
    if open_todos:
        raise Stop("your code in {} has TODO {} open, which the photo's answer goes through: finish {} (`make "
                   "test-step N` says what is missing), or run the solutions: `make ask PHOTO=... TREE=solutions`."
                   .format(shown(tree), ", ".join(open_todos), "them" if len(open_todos) > 1 else "it"))
    owner = "your code" if tree_name == "steps" else "the solutions" if tree_name == "solutions" else "the code"
    return (f"{owner} in {shown(tree)} (03_host/code/inference.py for the answer, 04_bot/chalicelib/reply.py and "
            "map_image.py for the reply).")


if __name__ == "__main__":
    main()

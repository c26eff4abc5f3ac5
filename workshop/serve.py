"""`make serve`: the tree's 03_host/serve.py, started only when step 3 has no TODO open there.

    python -m workshop serve [--tree steps] --model-dir build/model [--port 8080]

Every request goes through inference.py's four TODOs: with one of them open, the endpoint would start and answer
each request with a 500 and a traceback. So, as `make ask` and `make demo TREE=steps` do, the open TODOs are named
up front; otherwise serve.py takes this process over (its options are passed on as given).
"""
import argparse
import os
import sys

from workshop import hints, manifest, step_tests
from workshop.paths import ROOT, shown

STEP = 3  # the step whose code serves


def open_todos(tree):
    """The TODO ids of step 3 still open in `tree`'s step folder."""
    step = manifest.step(STEP, ROOT)
    return [todo.id for todo in hints.todos_left(step, tree / step.folder)]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m workshop serve", description=__doc__.splitlines()[0])
    parser.add_argument("--tree", default="steps", help="whose code serves: steps (yours, the default) or solutions")
    args, serve_options = parser.parse_known_args(argv)
    tree = step_tests.tree_folder(args.tree, ROOT)
    folder = tree / manifest.step(STEP, ROOT).folder
    if not folder.is_dir():
        sys.exit(f"serve: {shown(folder)} is missing: `make reset-step {STEP}` restores the starter.")
    left = open_todos(tree)
    if left:
        sys.exit(f"serve: your code in {shown(folder)} has TODO {', '.join(left)} open, which every request goes "
                 f"through (it would answer each with a 500): finish {'them' if len(left) > 1 else 'it'} (`make "
                 f"test-step {STEP}` says what is missing), or serve the solution: `make serve TREE=solutions`.")
    serve_py = folder / "serve.py"
    os.execv(sys.executable, [sys.executable, str(serve_py), *serve_options])


if __name__ == "__main__":
    main()

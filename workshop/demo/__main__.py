"""`python -m workshop demo`: the command (see workshop/demo/__init__.py)."""
import argparse
import json
import signal
import sys
import time
from pathlib import Path

from workshop import demo
from workshop.demo import DemoError, out_folder, plan, real_photo, stages, stand_ins
from workshop.demo.processes import Processes
from workshop.paths import ROOT, shown, tree_folder

# The full demo reaches >= 90 % of val photos within 2500 km in well under a minute of training on 2 cores;
# --quick is the size the end-to-end test runs.
SIZES = {"full": {"photos": 2000, "epochs": 6}, "quick": {"photos": 600, "epochs": 2}}
PAGE_URL = "http://127.0.0.1:8000/"  # make serve-bot's (BOT_PORT in the Makefile)


def main(argv=None):
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True, errors="backslashreplace")
    stand_ins.go_offline()
    signal.signal(signal.SIGTERM, _interrupt)
    size = SIZES["quick" if args.quick else "full"]
    processes = Processes()
    started = time.perf_counter()
    try:
        code = plan.whose_code(args.tree, args.open_todos, args.tree_name)
        with out_folder.claimed(args.out):
            try:
                if args.model:
                    summary = real_photo.run(args.out, args.model, args.photo, args.port, processes, code)
                else:
                    summary = stages.run(args.out, size, args.port, processes, code)
            finally:
                processes.stop_all()
            summary["seconds"]["total"] = round(time.perf_counter() - started, 1)
            (args.out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        made = "reply.png, photo" + args.photo.suffix.lower() if args.model else "reply.png, cells.png, curves.png"
        print(f"Done in {summary['seconds']['total']:.0f} s. See {shown(args.out)}: {made}, summary.json.")
        print(f"The bot's web page answers a photo too: `make serve`, then `make serve-bot` in another terminal, "
              f"and open {PAGE_URL}")
        return 0
    except DemoError as error:
        print(f"demo: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nInterrupted: the endpoint and every process the demo started are stopped. {shown(args.out)} "
              "holds what was done so far; `make demo` starts again from scratch.", file=sys.stderr)
        return 130


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m workshop demo", description=demo.__doc__.splitlines()[0])
    parser.add_argument("--tree", default="solutions",
                        help="whose code runs: solutions (default), steps (yours), or a folder laid out like them")
    parser.add_argument("--open-todos", choices=plan.OPEN_TODOS, default="ask",
                        help="a step of --tree with TODOs still open: ask (default; stop when no one can answer), "
                             "use the solution for it, or stop")
    parser.add_argument("--quick", action="store_true", help=f"a smaller run: {SIZES['quick']}")
    parser.add_argument("--port", type=int, default=0, help="the local endpoint's port (0: a free one)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "demo", help="where the demo writes")
    parser.add_argument("--model", type=Path, help="serve this model folder instead of training one on the toy "
                                                   "world: build/locationnet (`make locationnet`) or build/model")
    parser.add_argument("--photo", type=Path, help="with --model: the photo to mention the bot with (default: "
                                                   "photos/cape-canaveral-falcon9-dscovr.jpg)")
    args = parser.parse_args(argv)
    if args.photo and not args.model:
        parser.error("--photo (PHOTO=) goes with --model build/locationnet (MODEL=build/locationnet): the toy model "
                     "knows only the toy world's renders, not real photos.")
    if args.model == Path("locationnet") and not args.model.is_dir():
        parser.error("MODEL is a model folder, as for make serve, ask and deploy: MODEL=build/locationnet.")
    if args.model:
        args.model = args.model.resolve()
        args.photo = (args.photo or real_photo.DEFAULT_PHOTO).resolve()
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is not a port: give 0 (a free one) or a number up to 65535.")
    args.out = args.out.resolve()
    args.tree_name, args.tree = args.tree, tree_folder(args.tree, ROOT)
    if not args.tree.is_dir():
        parser.error(f"--tree {args.tree_name} is no folder: give solutions, steps (your code), or a folder laid out "
                     "like them.")
    return args


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # `kill` stops the demo as cleanly as Ctrl-C


if __name__ == "__main__":
    sys.exit(main())

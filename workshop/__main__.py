"""`python -m workshop <command>`: what the Makefile's targets call. `--root` points the tooling at another copy."""
import argparse
import importlib
import os
import sys
import time
from pathlib import Path

from workshop import (
    bench,
    check_generated,
    check_platforms,
    check_workshop,
    checkpoint_step,
    diff_step,
    full_test,
    generate,
    hint_step,
    loader,
    manifest,
    reset_step,
    status,
    step_tests,
    watch,
)
from workshop.paths import ROOT, shown

STEP_COMMANDS = {
    "test-step": lambda number, args: step_tests.main(number, args.tree, args.root),
    "hint-step": lambda number, args: hint_step.main(number, args.root, level=args.level),
    "diff-step": lambda number, args: diff_step.main(number, args.root, todo_id=args.todo),
    "reset-step": lambda number, args: reset_step.main(number, args.root),
    "checkpoint-step": lambda number, args: checkpoint_step.main(number, args.root),
    "watch-step": lambda number, args: watch.main(number, args.tree, args.root),
}


def _generate(args):
    if args.only and not args.out:
        raise SystemExit("`generate --only` writes a partial copy: give it a folder with --out, never steps/.")
    unknown = set(args.only or ()) - set(manifest.todos(args.root))
    if unknown:
        raise SystemExit(f"workshop.toml has no TODO {', '.join(sorted(unknown))}: the ids are listed there.")
    started = time.perf_counter()
    numbers = {manifest.step(number, args.root).number for number in args.step} if args.step else None
    folders = generate.generate(args.root, args.out, set(args.only) if args.only else None, numbers)
    print(f"Generated {', '.join(shown(folder, args.root) for folder in folders)} in {time.perf_counter() - started:.2f} s.")
    return 0


# The slide renderer lives beside the deck, in slides/: loaded by path, as a step's script is.
SLIDES = "slides/build.py"


# Commands with options of their own: `python -m workshop ask PHOTO --model DIR` hands the rest to the module's main.
FORWARDED = {
    "ask": ("workshop.ask", "your photo answered as the bot would reply (make ask)"),
    "evaluate": ("workshop.evaluate", "the share of photos within 1/25/200/750/2500 km (make evaluate)"),
    "demo": ("workshop.demo.__main__", "the whole pipeline offline, photos to a reply (make demo)"),
    "locationnet": ("workshop.locationnet", "the talk's LocationNet downloaded, checked, given places (make locationnet)"),
    "testset": ("workshop.testset", "the MediaEval 2016 test list and its first photos (make locationnet)"),
    "serve": ("workshop.serve", "your step-3 endpoint on 127.0.0.1, once its TODOs are done (make serve)"),
    "doctor": ("workshop.doctor.preflight", "the host's preflight: AWS account, role, quotas, X app (make doctor)"),
    "slides": (SLIDES, "the talk rendered into build/slides/index.html (make slides)"),
}

OTHER_COMMANDS = {
    "generate": _generate,
    "check-generated": lambda args: check_generated.main(args.root),
    "status": lambda args: status.main(args.root),
    "check-workshop": lambda args: check_workshop.check(
        args.root, args.workers, {manifest.step(n, args.root).number for n in args.step} or None, args.todo,
    ),
    "test": lambda args: full_test.main(args.root, workers=args.workers),
    "bench": lambda args: bench.main(args.root, args.name),
    "check-platforms": lambda args: check_platforms.main(args.root, args.index_url),
}


def _step_number(command, given, root):
    numbers = ", ".join(str(step.number) for step in manifest.steps(root))
    if not given:
        raise SystemExit(f"Say which step: `make {command} 1` (the steps are {numbers}).")
    if len(given) > 1:
        raise SystemExit(f"One step at a time: `make {command} {given[0]}` (the steps are {numbers}).")
    return manifest.step(given[0], root).number


def parser():
    parse = argparse.ArgumentParser(prog="python -m workshop", description=__doc__)
    parse.add_argument("--root", type=Path, default=ROOT, help="the repository to work on (default: this one)")
    commands = parse.add_subparsers(dest="command", required=True)
    for name in STEP_COMMANDS:
        command = commands.add_parser(name)
        command.add_argument("step", nargs="*", help="the step number")
        if name in ("test-step", "watch-step"):
            command.add_argument("--tree", help="steps (default, or $TREE), solutions, or a folder like them")
        if name == "hint-step":
            command.add_argument("--level", type=int, help="show this level of the hints (default: the next one)")
        if name == "diff-step":
            command.add_argument("--todo", metavar="ID", help="this TODO's solution (default: the first open one; "
                                 "all: every change)")
    generating = commands.add_parser("generate", help="solutions/ -> steps/")
    generating.add_argument("--out", type=Path, help="write into this folder instead of steps/")
    generating.add_argument("--only", nargs="+", metavar="ID", help="stub only these TODOs (needs --out)")
    generating.add_argument("--step", nargs="+", help="only these steps (default: all)")
    for name in ("check-generated", "status"):
        commands.add_parser(name)
    benches = commands.add_parser("bench", help="measure: every bench, or the ones named (build/bench.md)")
    benches.add_argument("name", nargs="*", help="a bench's name, e.g. step03_latency (default: all)")
    for name, (_, about) in FORWARDED.items():
        commands.add_parser(name, help=f"{about}; `python -m workshop {name} --help` for its options")
    platforms = commands.add_parser("check-platforms", help="has every pin a wheel for each platform we claim?")
    platforms.add_argument("--index-url", help="the package index to ask (default: pip's, from `pip config list`)")
    testing = commands.add_parser("test", help="every test suite against the solutions (steps/ is yours: not checked)")
    checking = commands.add_parser("check-workshop", help="stubs and wrong variants are caught by their TODO's tests")
    checking.add_argument("step", nargs="*", help="only these steps (default: all)")
    checking.add_argument("--todo", metavar="ID", help="only the stub and the wrong variants of this TODO")
    for command in (testing, checking):
        command.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="processes at once")
    return parse


def main(argv=None):
    sys.stdout.reconfigure(line_buffering=True)  # our lines and the pytest runs' lines stay in order in CI logs
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in FORWARDED:
        module = FORWARDED[argv[0]][0]
        forwarded = loader.load(ROOT / "slides", "build") if module == SLIDES else importlib.import_module(module)
        return forwarded.main(argv[1:])
    args = parser().parse_args(argv)
    args.root = args.root.resolve()
    try:
        if args.command in STEP_COMMANDS:
            number = _step_number(args.command, args.step, args.root)
            return STEP_COMMANDS[args.command](number, args)
        return OTHER_COMMANDS[args.command](args)
    except generate.MarkerError as error:
        print("\n".join(error.problems), file=sys.stderr)
        print(f"{len(error.problems)} problem(s) with the solution markers (above): fix them in solutions/.",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

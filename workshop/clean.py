"""`make clean`: remove what the commands made, say what went, and keep the downloads unless asked.

    python workshop/clean.py               # build/ but the downloads, caches; keeps .venv and backups/
    python workshop/clean.py --downloads   # the downloads too (make clean-downloads)

Plain Python without the workshop's packages, so that it runs before `make setup` and after a broken one.
"""
import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Fetched from the network, slow to fetch again, and the same every time: make locationnet's model (and its cut
# download), the test set's photos, the bot's Lambda wheels.
DOWNLOADS = ("build/locationnet", "build/locationnet.partial", "build/testsets", "build/lambda-wheels")
KEPT = (".venv", "backups", ".git")


def size(path):
    files = [path] if path.is_file() else [file for file in path.rglob("*") if file.is_file()]
    return sum(file.lstat().st_size for file in files)


def megabytes(count):
    return f"{count / 1e6:,.0f} MB" if count >= 1e6 else f"{count / 1e3:,.0f} kB"


def made(root, downloads):
    """What the commands made: build/'s entries (but the downloads, unless `downloads`), the test cache, and the
    __pycache__ folders outside .venv."""
    kept = set() if downloads else {root / name for name in DOWNLOADS}
    build = root / "build"
    found = sorted(path for path in build.iterdir() if path not in kept) if build.is_dir() else []
    found += [root / ".pytest_cache"] if (root / ".pytest_cache").exists() else []
    return found, list(pycaches(root))


def pycaches(root):
    """The __pycache__ folders of the repository, not those of .venv."""
    for folder, subfolders, _ in os.walk(root):
        if Path(folder) == root:
            subfolders[:] = [name for name in subfolders if name not in KEPT]
        if "__pycache__" in subfolders:
            subfolders.remove("__pycache__")
            yield Path(folder) / "__pycache__"


def remove(path):
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def main(argv=None, root=ROOT, say=print):
    parser = argparse.ArgumentParser(prog="python workshop/clean.py", description=__doc__.splitlines()[0])
    parser.add_argument("--downloads", action="store_true", help="also remove the downloads: " + ", ".join(DOWNLOADS))
    args = parser.parse_args(argv)
    found, caches = made(root, args.downloads)
    for path in found:
        say(f"Removed {path.relative_to(root)} ({megabytes(size(path))})")
        remove(path)
    for path in caches:
        shutil.rmtree(path, ignore_errors=True)
    if caches:
        say(f"Removed {len(caches)} __pycache__ folders.")
    if (root / "build").is_dir() and not any((root / "build").iterdir()):
        (root / "build").rmdir()
    if not found and not caches:
        say("Nothing to remove.")
    kept = [root / name for name in DOWNLOADS if (root / name).exists()]
    if kept:
        say(f"Kept the downloads: {', '.join(f'{path.relative_to(root)} ({megabytes(size(path))})' for path in kept)}"
            "; `make clean-downloads` removes them too.")
    say("Kept .venv and backups/ (your saved work).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Which files make up a step folder: everything but caches, build outputs and local deployment state."""
import hashlib
from pathlib import Path

SKIPPED_FOLDERS = {"__pycache__", ".pytest_cache", "build", "dist", ".ipynb_checkpoints"}
SKIPPED_PATHS = {(".chalice", "deployments"), (".chalice", "venv")}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}
SKIPPED_NAMES = {".DS_Store"}


def skipped(relative):
    """True for a path (relative to a step folder) that is not part of the step."""
    parts = Path(relative).parts
    folders = parts[:-1]
    if any(part in SKIPPED_FOLDERS or part.endswith(".egg-info") for part in folders):
        return True
    if any(parts[i : i + 2] == pair for pair in SKIPPED_PATHS for i in range(len(parts) - 1)):
        return True
    return Path(relative).suffix in SKIPPED_SUFFIXES or parts[-1] in SKIPPED_NAMES


def listing(folder):
    """The files of `folder` that belong to it, as sorted relative POSIX paths."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = (path.relative_to(folder) for path in folder.rglob("*") if path.is_file() or path.is_symlink())
    return sorted(path.as_posix() for path in found if not skipped(path))


def fingerprint(*paths):
    """A hash of the names and contents of the files in `paths` (folders or files; missing ones count as empty)."""
    digest = hashlib.sha256()
    for number, path in enumerate(map(Path, paths)):
        digest.update(f"\0{number}\0".encode())
        if path.is_file():
            digest.update(path.read_bytes())
        for relative in listing(path):
            digest.update(relative.encode() + b"\0" + (path / relative).read_bytes() + b"\0")
    return digest.hexdigest()

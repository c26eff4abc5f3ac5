"""Checkpoints: the artifacts a step starts from (dataset, trained model), made offline by the solutions.

An artifact is remade when the solution code it is made from changes (a hash of those files is kept beside it).
"""
import fcntl
import hashlib
import shutil
import subprocess
import sys
import time

from workshop import files, manifest
from workshop.paths import ROOT


def _fingerprint(artifact, known, root):
    """A hash of the artifact's command, the files it is made from and the fingerprints of what it needs."""
    needs = " ".join(_fingerprint(known[need], known, root) for need in artifact.needs)
    made_from = files.fingerprint(*(root / folder for folder in artifact.made_from))
    return hashlib.sha256(f"{' '.join(artifact.command)} {made_from} {needs}".encode()).hexdigest()


def _make(name, known, say, root):
    artifact = known[name]
    paths = {need: _make(need, known, say, root) for need in artifact.needs}
    path = root / artifact.path
    stamp = path.parent / f".{path.name}.fingerprint"
    fingerprint = _fingerprint(artifact, known, root)
    if path.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return path
    shutil.rmtree(path, ignore_errors=True)
    command = [part.format(python=sys.executable, path=path, **paths) for part in artifact.command]
    say(f"Making checkpoint artifact '{name}' in {artifact.path} ...")
    started = time.monotonic()
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"Making the '{name}' checkpoint failed (command: {' '.join(command)}):\n{result.stdout}{result.stderr}"
        )
    stamp.write_text(fingerprint)
    say(f"Made '{name}' in {time.monotonic() - started:.1f} s.")
    return path


def ensure(name, say=lambda message: None, root=ROOT):
    """Return the path of artifact `name`, making it (and what it needs) first if missing or stale."""
    known = manifest.artifacts(root)
    lock_path = root / "build" / "checkpoint.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _make(name, known, say, root)

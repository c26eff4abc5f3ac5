"""What the checks and `make test-step` keep in build/: an answer, keyed by the files it depends on."""
import hashlib
import json
from dataclasses import replace

from workshop import files, manifest
from workshop.paths import ROOT

TOOLING = ("generate.py", "files.py", "loader.py", "manifest.py", "checkpoint.py", "step_tests.py", "todo_marks.py")


def _made_from(step, known):
    names, folders = list(step.checkpoint), []
    while names:
        artifact = known[names.pop()]
        folders += artifact.made_from
        names += artifact.needs
    return sorted(set(folders))


def key(step, folder=None, tooling=TOOLING):
    """What a test run of `step` depends on: its code (default: the solution), tests, its own entries in the
    manifest (TODOs, variants, the artifacts it starts from) and the tooling; other steps' entries do not count."""
    root = step.root
    tests = root / "tests"
    artifacts = manifest.artifacts(root)
    earlier = [root / folder for folder in _made_from(step, artifacts)]
    entries = repr((replace(step, root=None), sorted(repr(artifact) for artifact in artifacts.values())))
    found = files.fingerprint(
        folder or step.solution, step.tests, tests / "conftest.py", tests / "netguard",
        *(ROOT / "workshop" / name for name in tooling), *earlier,
    )
    return hashlib.sha256(f"{found} {entries}".encode()).hexdigest()


def _path(step, check):
    return step.root / "build" / check / f"{step.folder}.json"


def kept(step, check, expected_key):
    """What `check` kept for `step` under `expected_key`, or None."""
    try:
        saved = json.loads(_path(step, check).read_text())
    except (OSError, ValueError):
        return None
    return saved["result"] if saved.get("key") == expected_key else None


def keep(step, check, the_key, result):
    _path(step, check).parent.mkdir(parents=True, exist_ok=True)
    _path(step, check).write_text(json.dumps({"key": the_key, "result": result}, indent=1))

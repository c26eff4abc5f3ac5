"""`make check-generated`: steps/ (and the READMEs' step and TODO tables) must be exactly what the generator makes."""
from itertools import zip_longest
from pathlib import Path

from workshop import files, manifest, readme
from workshop.generate import starter_tree
from workshop.paths import ROOT


def differences(root=ROOT):
    """One line per file of steps/ that differs from, is missing from, or is extra to what `make generate` makes."""
    root = Path(root)
    found = []
    made = starter_tree(root)
    for step in manifest.steps(root):
        expected, present = made[step.folder], set(files.listing(step.starter))
        for relative in sorted(present | set(expected)):
            name = f"steps/{step.folder}/{relative}"
            if relative not in present:
                found.append(f"{name}: missing (the generator makes it from solutions/{step.folder}/{relative})")
            elif relative not in expected:
                found.append(f"{name}: extra (no solutions/{step.folder}/{relative} makes it)")
            elif (step.starter / relative).read_bytes() != expected[relative]:
                change = _first_change(step.starter / relative, expected[relative])
                found.append(f"{name}: differs from what the generator makes{change}")
    if (root / "steps").is_dir():
        for folder in sorted((root / "steps").iterdir()):
            if folder.name not in made:
                found.append(f"steps/{folder.name}: extra (workshop.toml has no step in that folder)")
    for path, _ in readme.stale(root):
        what = "its step table does" if path == root / "README.md" else "its TODO table and hints do"
        found.append(f"{path.relative_to(root).as_posix()}: {what} not match workshop.toml")
    return found


def _first_change(path, expected):
    have, want = path.read_bytes().split(b"\n"), expected.split(b"\n")
    for number, (mine, theirs) in enumerate(zip_longest(have, want), start=1):
        if mine != theirs:
            return f" from line {number} on"
    return ""


def main(root=ROOT, say=print):
    found = differences(root)
    for line in found:
        say(line)
    if found:
        say(f"steps/ is out of date with solutions/ ({len(found)} file(s) above): maintainers run `make generate` "
            "and never edit steps/ by hand; a participant's own work is checked with `make test-step N` instead.")
        return 1
    say("steps/ matches solutions/: every starter is what `make generate` makes.")
    return 0

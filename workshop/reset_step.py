"""`make reset-step N`: back up your steps/<folder> to backups/, then restore the pristine starter."""
import shutil
import time

from workshop import files, manifest
from workshop.generate import copy_modes, starter_files, sync
from workshop.paths import ROOT


def backup(step, root=ROOT):
    """Copy the participant's starter folder to backups/<folder>-<timestamp>/ and return where it went."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = root / "backups" / f"{step.folder}-{stamp}"
    count = 1
    while target.exists():
        count += 1
        target = root / "backups" / f"{step.folder}-{stamp}-{count}"
    shutil.copytree(step.starter, target, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def main(number, root=ROOT, say=print):
    step = manifest.step(number, root)
    pristine = starter_files(step)  # first: broken solutions must not cost the participant anything
    current = {relative: (step.starter / relative).read_bytes() for relative in files.listing(step.starter)}
    if current == pristine:
        say(f"steps/{step.folder} is already the pristine starter: nothing to back up or restore.")
        return 0
    if step.starter.is_dir():
        saved = backup(step, root)
        saved = saved.relative_to(root)
        say(f"Your steps/{step.folder} is saved in {saved}/.\nTo get it back later: rm -r steps/{step.folder} && "
            f"cp -R {saved} steps/{step.folder}")
    sync(pristine, step.starter)
    copy_modes(step, step.starter)
    say(f"steps/{step.folder} is the pristine starter again: `make test-step {step.number}` shows where to begin.")
    return 0

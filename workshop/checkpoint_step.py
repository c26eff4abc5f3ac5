"""`make checkpoint-step N`: everything step N starts from, made offline by the solutions."""
from workshop import checkpoint, manifest
from workshop.generate import copy_modes, starter_files, sync
from workshop.paths import ROOT

BOT_STEP = 4  # the bot talks to an endpoint: say how to start one on this machine


def main(number, root=ROOT, say=print):
    step = manifest.step(number, root)
    if not step.starter.is_dir():
        sync(starter_files(step), step.starter)
        copy_modes(step, step.starter)
        say(f"Restored the starter in steps/{step.folder}.")
    if not step.checkpoint:
        say(f"Step {step.number} starts from nothing but its starter: steps/{step.folder}.")
    for name in step.checkpoint:
        path = checkpoint.ensure(name, say=say, root=root).relative_to(root)
        say(f"Step {step.number} starts from the {name} in {path}/")
        if name == "model" and step.number == BOT_STEP:
            say(f"Start the local endpoint your bot talks to with: make serve MODEL={path}")
    return 0

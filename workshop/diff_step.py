"""`make diff-step N`: what the solution changes against your starter, as a unified diff."""
import difflib

from workshop import files, manifest
from workshop.paths import ROOT


def diff(step):
    """The unified diff from steps/<folder> to solutions/<folder>, file by file."""
    lines = []
    for relative in sorted(set(files.listing(step.starter)) | set(files.listing(step.solution))):
        mine, theirs = step.starter / relative, step.solution / relative
        try:
            before = mine.read_text().splitlines(keepends=True) if mine.exists() else []
            after = theirs.read_text().splitlines(keepends=True) if theirs.exists() else []
        except UnicodeDecodeError:
            if not mine.exists() or not theirs.exists() or mine.read_bytes() != theirs.read_bytes():
                lines.append(f"Binary files {mine.relative_to(step.root)} and {theirs.relative_to(step.root)} differ\n")
            continue
        lines += difflib.unified_diff(
            before, after, f"steps/{step.folder}/{relative}", f"solutions/{step.folder}/{relative}"
        )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def main(number, root=ROOT, say=print):
    step = manifest.step(number, root)
    text = diff(step)
    say(text.rstrip("\n") if text else f"steps/{step.folder} is the same as solutions/{step.folder}.")
    return 0

"""The README's step table, written from workshop.toml by `make generate` and checked by `make check-generated`."""
import re

from workshop import ROOT, manifest

BEGIN = "<!-- steps: written by `make generate` from workshop.toml -->"
END = "<!-- /steps -->"
BLOCK = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)


def step_table(root=ROOT):
    rows = ["| Step | Folder | What you build | TODOs | Starts from |", "| --- | --- | --- | --- | --- |"]
    for step in manifest.steps(root):
        start = f"{', '.join(step.checkpoint)}: `make checkpoint-step {step.number}`" if step.checkpoint else "nothing"
        rows.append(f"| {step.number} | [steps/{step.folder}](steps/{step.folder}/README.md) | {step.title} | "
                    f"{len(step.todos)} | {start} |")
    return "\n".join(rows)


def expected(text, root=ROOT):
    """`text` (a README) with its step table block rewritten from the manifest."""
    return BLOCK.sub(lambda _: f"{BEGIN}\n{step_table(root)}\n{END}", text)


def update(root=ROOT):
    path = root / "README.md"
    if path.exists():
        text = path.read_text()
        if expected(text, root) != text:
            path.write_text(expected(text, root))

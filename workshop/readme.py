"""The generated parts of the READMEs, written from workshop.toml by `make generate` and checked by
`make check-generated`: the root README's step table, and each step README's TODO table and hints."""
import ast
import re
import textwrap

from workshop import files, manifest
from workshop.paths import ROOT

BEGIN = "<!-- steps: written by `make generate` from workshop.toml -->"
END = "<!-- /steps -->"
BLOCK = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
TODOS_BEGIN = "<!-- todos: written by `make generate` from workshop.toml -->"
TODOS_END = "<!-- /todos -->"
TODOS_BLOCK = re.compile(re.escape(TODOS_BEGIN) + r".*?" + re.escape(TODOS_END), re.S)
REGION = re.compile(r"#\s*BEGIN SOLUTION (\d\d\.\d+)")
WIDTH = 118  # a hint's lines, as the rest of the Markdown


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


def todo_places(step):
    """{TODO id: "`file.py` `function`"}: where each TODO's region sits in the step's solution."""
    places = {}
    for relative in files.listing(step.solution):
        if not relative.endswith(".py"):
            continue
        source = (step.solution / relative).read_text(encoding="utf-8")
        functions = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FunctionDef)]
        for number, line in enumerate(source.splitlines(), start=1):
            found = REGION.search(line)
            if found:
                around = [f for f in functions if f.lineno <= number <= f.end_lineno]
                name = max(around, key=lambda f: f.lineno).name if around else None
                places[found[1]] = f"`{relative}`" + (f" `{name}`" if name else "")
    return places


def todo_block(step):
    """The step README's TODO table and hints."""
    places = todo_places(step)
    rows = ["| TODO | what to write | where |", "| --- | --- | --- |"]
    rows += [f"| {todo.id} | {todo.label} | {places.get(todo.id, '')} |" for todo in step.todos]
    rows += ["", f"Hints (the first of each; `make hint-step {step.number}` gives the next one for the TODO you are "
                 "at):"]
    for todo in step.todos:
        rows += textwrap.wrap(f"- **{todo.id}** {todo.hint}", WIDTH, subsequent_indent="  ",
                              break_long_words=False, break_on_hyphens=False)
    return "\n".join(rows)


def expected_step_readme(text, step):
    """A step README's text with its TODO block rewritten from the manifest."""
    return TODOS_BLOCK.sub(lambda _: f"{TODOS_BEGIN}\n{todo_block(step)}\n{TODOS_END}", text)


def stale(root=ROOT):
    """The READMEs whose generated parts differ from what the manifest makes: [(path, expected text)]."""
    found = []
    path = root / "README.md"
    if path.exists() and expected(path.read_text(), root) != path.read_text():
        found.append((path, expected(path.read_text(), root)))
    for step in manifest.steps(root):
        path = step.solution / "README.md"
        if path.exists():
            text = path.read_text(encoding="utf-8")
            if expected_step_readme(text, step) != text:
                found.append((path, expected_step_readme(text, step)))
    return found


def update(root=ROOT):
    for path, text in stale(root):
        path.write_text(text, encoding="utf-8")

"""Render the talk, slides/whereml.md, into one self-contained HTML file: `python -m workshop slides` (`make slides`).

The deck is Markdown; a line `---` separates two slides. HTML comments are directives:
    <!-- include: solutions/04_bot/chalicelib/reply.py#flag_emoji -->   code cut from the repository (excerpts.py)
    <!-- todos: 4 -->       the TODO list of step 4, from workshop.toml
    <!-- class: title -->   a look for the slide (title, section, ...)
    <!-- notes: ... -->     presenter notes in Markdown (press p in the deck, or open it with ?notes)
Pictures, `![the cells](build/checkpoint/data/cells.png)`, are repository paths: made when missing, then inlined.
A reference that does not resolve stops the build, naming the slide. Nothing is fetched when the deck is shown.
"""
import argparse
import html
import mimetypes
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.util import ClassNotFound

import excerpts
import outputs
from workshop import manifest
from workshop.paths import ROOT, shown

HERE = Path(__file__).resolve().parent

DECK = HERE / "whereml.md"
OUT = ROOT / "build" / "slides" / "index.html"
CODE_STYLE = "default"
SEPARATOR = re.compile(r"^---\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
DIRECTIVE = re.compile(r"<!--\s*([a-z]+):(.*?)-->", re.DOTALL)
KNOWN = {"include", "todos", "class", "notes"}
EXCERPT = "whereml-excerpt"
PICTURE = re.compile(r"!\[[^\]]*\]\(\s*([^)\s]+)")


class BuildError(Exception):
    """A slide that cannot be built; the message names the slide and says what to fix."""


@dataclass
class Slide:
    number: int
    title: str
    markdown: str
    look: str = ""
    notes: str = ""
    excerpts: tuple = ()
    pictures: tuple = ()
    html: str = ""
    notes_html: str = ""


def split(text):
    """The deck's slides: Markdown between lines of `---` (a `---` inside a code fence is code)."""
    slides, current, fence = [], [], None
    for line in text.splitlines():
        opened = FENCE.match(line)
        if opened and (fence is None or opened.group(1) == fence):
            fence = opened.group(1) if fence is None else None
        if fence is None and SEPARATOR.match(line):
            slides.append("\n".join(current))
            current = []
        else:
            current.append(line)
    slides.append("\n".join(current))
    return [slide for slide in slides if slide.strip()]


def _markdown():
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.add_render_rule("fence", _fence)
    md.add_render_rule("image", _image)
    return md


def _title(markdown):
    for line in markdown.splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    text = DIRECTIVE.sub("", markdown).strip()
    return text.splitlines()[0][:60] if text else "(empty)"


def parse(number, markdown):
    """One slide's Markdown -> a Slide with its directives resolved (excerpts cut, TODO tables filled in)."""
    slide = Slide(number, _title(markdown), markdown)
    cut, notes, looks = [], [], []

    def resolve(found):
        word, value = found.group(1), found.group(2).strip()
        if word not in KNOWN:
            raise BuildError(f"unknown directive `<!-- {word}: -->` (known: {', '.join(sorted(KNOWN))})")
        if word == "notes":
            notes.append(value)
            return ""
        if word == "class":
            looks.append(value)
            return ""
        if word == "todos":
            return _todo_table(value)
        try:
            excerpt = excerpts.cut(ROOT, value)
        except excerpts.ExcerptError as error:
            raise BuildError(f"`<!-- include: {value} -->`: {error}") from None
        _check_todos(excerpt)
        cut.append(excerpt)
        return f"\n~~~ {EXCERPT} {len(cut) - 1}\n~~~\n"

    try:
        slide.markdown = DIRECTIVE.sub(resolve, markdown)
    except BuildError as error:
        raise BuildError(f"slide {number} ({slide.title!r}): {error}") from None
    slide.look, slide.notes, slide.excerpts = " ".join(looks), "\n\n".join(notes), tuple(cut)
    return slide


def _todo_table(value):
    step = next((step for step in manifest.steps() if str(step.number) == value), None)
    if step is None:
        raise BuildError(f"`<!-- todos: {value} -->`: workshop.toml has no step {value}")
    if not step.todos:
        raise BuildError(f"`<!-- todos: {value} -->`: step {value} has no TODOs in workshop.toml yet")
    rows = "\n".join(f"| {todo.id} | {_cell(todo.label)} |" for todo in step.todos)
    return f"\n| TODO | what you write |\n| --- | --- |\n{rows}\n"


def _cell(text):
    return text.replace("|", "\\|")


def _check_todos(excerpt):
    known = manifest.todos()
    for todo in excerpt.todos:
        if todo not in known:
            raise BuildError(f"{excerpt.path} marks TODO {todo}, which workshop.toml does not list")


def _included_files(text):
    return [found.group(2).split("#")[0].strip() for found in DIRECTIVE.finditer(text) if found.group(1) == "include"]


def _pictures(md, slide):
    found = []
    for token in md.parse(slide.markdown):
        for child in token.children or []:
            if child.type == "image":
                found.append(child.attrGet("src"))
    for src in found:
        if re.match(r"^[a-z]+:", src):
            problem = "must be a file of the repository, not a URL: the deck has to work offline"
        elif not (mimetypes.guess_type(src)[0] or "").startswith("image/"):
            problem = "is not a picture: use a .png, .jpg, .gif or .svg file"
        elif not (ROOT / src).is_file():
            problem = "does not exist and nothing here makes it"
        else:
            continue
        raise BuildError(f"slide {slide.number} ({slide.title!r}): picture {src} {problem}")
    return tuple(found)


def _fence(renderer, tokens, index, options, env):
    token = tokens[index]
    language, _, rest = token.info.strip().partition(" ")
    if language == EXCERPT:
        excerpt = env["excerpts"][int(rest)]
        caption = excerpt.path + (f" · {excerpt.selector}" if excerpt.selector else "")
        labels = manifest.todos()
        if excerpt.selector.startswith("SOLUTION "):
            caption = f"{excerpt.path} · TODO {excerpt.todos[0]}: {labels[excerpt.todos[0]].label}"
        elif excerpt.highlighted:
            caption += " · highlighted: TODO " + ", ".join(excerpt.todos)
        return _code(excerpt.code, _lexer(excerpt.path), excerpt.highlighted, caption)
    try:
        lexer = get_lexer_by_name(language) if language else get_lexer_by_name("text")
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    return _code(token.content.rstrip("\n"), lexer)


def _lexer(path):
    try:
        return get_lexer_for_filename(path)
    except ClassNotFound:
        return get_lexer_by_name("text")


def _code(code, lexer, highlighted=(), caption=None):
    formatter = HtmlFormatter(cssclass="code", hl_lines=list(highlighted), wrapcode=True)
    body = highlight(code, lexer, formatter)
    if caption is None:
        return body
    return f'<figure class="excerpt"><figcaption>{html.escape(caption)}</figcaption>{body}</figure>\n'


def _image(renderer, tokens, index, options, env):
    token = tokens[index]
    alt = html.escape(renderer.renderInlineAsText(token.children or [], options, env), quote=True)
    return f'<img src="{outputs.data_uri(token.attrGet("src"))}" alt="{alt}">'


def render(slides, md):
    """The deck as one HTML page, with its CSS, JavaScript and pictures inside."""
    sections = []
    for slide in slides:
        slide.html = md.render(slide.markdown, {"excerpts": slide.excerpts})
        slide.notes_html = md.render(slide.notes, {"excerpts": ()}) if slide.notes else ""
        sections.append(
            f'<section class="slide {slide.look}" data-number="{slide.number} / {len(slides)}" '
            f'data-title="{html.escape(slide.title, quote=True)}">\n'
            f'<div class="body">\n{slide.html}</div>\n'
            f'<aside class="notes">{slide.notes_html}</aside>\n</section>'
        )
    style = (HERE / "theme.css").read_text() + HtmlFormatter(style=CODE_STYLE).get_style_defs(".code")
    return PAGE.format(
        title=html.escape(slides[0].title),
        style=style,
        sections="\n".join(sections),
        script=(HERE / "deck.js").read_text(),
    )


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{style}
</style>
</head>
<body>
<main id="deck">
{sections}
</main>
<script>
{script}
</script>
</body>
</html>
"""


def build(deck=DECK, out=OUT, say=print):
    """Render `deck` into `out`; return its slides. BuildError names every slide that cannot be built."""
    deck, out = Path(deck), Path(out)
    texts = split(deck.read_text(encoding="utf-8"))
    if not texts:
        raise BuildError(f"{deck} has no slides")
    shown = sorted({path for text in texts for path in PICTURE.findall(text) + _included_files(text)})
    try:
        outputs.make(shown, say)
    except RuntimeError as error:
        raise BuildError(f"making what the deck shows failed: {error}") from None
    md, slides, problems = _markdown(), [], []
    for number, text in enumerate(texts, 1):
        try:
            slides.append(parse(number, text))
            slides[-1].pictures = _pictures(md, slides[-1])
        except BuildError as error:
            problems.append(str(error))
    if problems:
        raise BuildError("\n".join(problems))
    page = render(slides, md)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return slides


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deck", type=Path, default=DECK, help="the Markdown deck (default: slides/whereml.md)")
    parser.add_argument("--out", type=Path, default=OUT, help="the page to write (default: build/slides/index.html)")
    args = parser.parse_args(argv)
    if not args.deck.is_file():
        sys.exit(f"slides: {args.deck} does not exist; pass --deck with the Markdown deck to render.")
    started = time.monotonic()
    try:
        slides = build(args.deck, args.out)
    except BuildError as error:
        sys.exit("\n".join(f"slides: {problem}" for problem in str(error).splitlines()))
    seconds = time.monotonic() - started
    print(f"Wrote {shown(args.out)}: {len(slides)} slides in {seconds:.1f} s. Open it in a browser; p shows the notes.")


if __name__ == "__main__":
    main()

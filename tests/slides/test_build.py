"""slides/build.py: the deck renders into one page, every reference resolves, and a broken one names its slide."""
import re
import subprocess
import sys

import pytest

from workshop.paths import ROOT

DECK = (ROOT / "slides" / "whereml.md").read_text(encoding="utf-8")


def test_the_deck_builds_into_one_page(built):
    assert 25 <= len(built.slides) <= 40, f"the talk has {len(built.slides)} slides; keep it to 25-40"
    assert built.page.count('<section class="slide') == len(built.slides)
    assert built.slides[0].look == "title", "the first slide should be the title slide (<!-- class: title -->)"


def test_every_excerpt_is_cut_from_the_repository(built):
    references = re.findall(r"<!--\s*include:\s*(.*?)\s*-->", DECK)
    cut = [excerpt for slide in built.slides for excerpt in slide.excerpts]
    assert [f"{e.path}#{e.selector}" if e.selector else e.path for e in cut] == references
    for excerpt in cut:
        assert excerpt.code.strip(), f"the excerpt {excerpt.path}#{excerpt.selector} is empty"
        assert "BEGIN SOLUTION" not in excerpt.code and "END SOLUTION" not in excerpt.code
    assert "<!-- include" not in built.page, "an include directive was left in the page unresolved"


def test_every_picture_is_inlined(built):
    pictures = [path for slide in built.slides for path in slide.pictures]
    assert len(pictures) == len(re.findall(r"!\[[^\]]*\]\(", DECK))
    assert len(re.findall(r'<img src="data:image/(png|jpeg|gif|svg\+xml);base64,', built.page)) == len(pictures)


def test_the_page_needs_nothing_from_the_network(built):
    fetching = re.findall(r"<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*>", built.page)
    for tag in fetching:
        for address in re.findall(r'(?:src|href|data)\s*=\s*"([^"]*)"', tag):
            assert address.startswith("data:"), f"the page loads {address}; inline it instead"
    styles = re.findall(r"<style>(.*?)</style>", built.page, re.DOTALL) + re.findall(r'style="([^"]*)"', built.page)
    styles = "".join(styles)
    assert not re.search(r"url\(\s*['\"]?(?!data:)", styles), "a stylesheet fetches a url(); inline it"
    assert "@import" not in styles
    assert "<link" not in built.page


def test_every_slide_has_presenter_notes(built):
    silent = [slide.number for slide in built.slides if not slide.notes_html.strip()]
    assert not silent, f"slides {silent} have no <!-- notes: ... --> for the presenter view"
    assert built.page.count('<aside class="notes">') == len(built.slides)


def test_a_code_fence_may_hold_a_slide_separator(renderer):
    deck = "# One\n\n```yaml\n---\nkey: value\n```\n\n---\n\n# Two\n"
    assert [text.strip().splitlines()[0] for text in renderer.split(deck)] == ["# One", "# Two"]


BROKEN = [
    ("<!-- include: solutions/09_nowhere/app.py#main -->", "solutions/09_nowhere/app.py does not exist"),
    ("<!-- include: workshop/checkpoint.py#no_such_function -->", "no top-level function, class or assignment"),
    ("<!-- include: workshop/checkpoint.py#SOLUTION 09.9 -->", "has no `# BEGIN SOLUTION 09.9` region"),
    ("<!-- include: workshop.toml#steps -->", "is not Python"),
    ("![the map](build/slides/no_such_picture.png)", "build/slides/no_such_picture.png does not exist"),
    ("![the map](https://example.com/map.png)", "not a URL"),
    ("![the deck](slides/whereml.md)", "is not a picture"),
    ("<!-- todos: 9 -->", "workshop.toml has no step 9"),
    ("<!-- inclde: workshop/checkpoint.py#ensure -->", "unknown directive"),
]


@pytest.mark.parametrize("line, problem", BROKEN, ids=[problem for _, problem in BROKEN])
def test_a_broken_reference_stops_the_build_naming_its_slide(renderer, tmp_path, line, problem):
    deck = tmp_path / "deck.md"
    deck.write_text(f"# Title\n\n---\n\n# The broken one\n\n{line}\n")
    out = tmp_path / "index.html"
    with pytest.raises(renderer.BuildError) as error:
        renderer.build(deck, out, say=lambda message: None)
    assert "slide 2 ('The broken one')" in str(error.value)
    assert problem in str(error.value)
    assert not out.exists(), "a failed build must not leave a page behind"


def test_the_command_says_what_is_wrong_in_one_line(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text("# Title\n\n---\n\n# Flags\n\n<!-- include: solutions/09_nowhere/reply.py#flag -->\n")
    result = subprocess.run(
        [sys.executable, "-m", "workshop", "slides", "--deck", str(deck), "--out", str(tmp_path / "x.html")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "slides: slide 2 ('Flags'): `<!-- include: solutions/09_nowhere/reply.py#flag -->`: "
        "solutions/09_nowhere/reply.py does not exist"
    ]

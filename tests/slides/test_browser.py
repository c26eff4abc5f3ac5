"""The built deck in a real browser: headless Chromium draws the title and a code slide, and the presenter view."""
import html
import re
import shutil
import subprocess

import pytest
from PIL import Image, ImageChops, ImageStat

MAC_CHROME = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome", MAC_CHROME))), None)
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium to draw the slides with: install it (`sudo apt-get install chromium` on Debian/Ubuntu, "
    "Google Chrome elsewhere) and rerun to check the deck in a browser",
)


def chromium(tmp_path, url, *action):
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    command = [
        BROWSER,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--window-size=1280,720",
        *action,
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, f"Chromium failed on {url}:\n{result.stderr[-2000:]}"
    return result.stdout


def screenshot(tmp_path, built, number):
    shot = tmp_path / f"slide-{number}.png"
    chromium(tmp_path, f"{built.path.as_uri()}#{number}", f"--screenshot={shot}")
    return Image.open(shot).convert("RGB")


def assert_drawn(image, what):
    colours = image.getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) >= 8, f"the {what} came out in {len(colours)} colours: is it blank?"
    assert max(ImageStat.Stat(image).stddev) > 10, f"the {what} is one flat colour"


def test_the_title_slide_and_a_code_slide_are_drawn(built, tmp_path):
    code_slide = next(slide.number for slide in built.slides if slide.excerpts)
    title = screenshot(tmp_path, built, 1)
    code = screenshot(tmp_path, built, code_slide)
    assert title.size == code.size == (1280, 720)
    assert_drawn(title, "title slide")
    assert_drawn(code, f"code slide (slide {code_slide})")
    difference = ImageStat.Stat(ImageChops.difference(title, code)).mean
    assert max(difference) > 20, f"slide 1 and slide {code_slide} look the same: does #{code_slide} select a slide?"


def test_the_presenter_view_shows_the_slide_and_its_notes(built, tmp_path):
    number = next(slide.number for slide in built.slides if slide.excerpts)
    dom = chromium(tmp_path, f"{built.path.as_uri()}?notes#{number}", "--dump-dom")
    assert 'class="presenting"' in dom, "?notes should open the presenter view"
    assert f"slide {number} of {len(built.slides)}" in dom
    said = dom[dom.index('class="said"') :]
    notes = text(built.slides[number - 1].notes_html)
    assert notes and notes[:80] in text(said), "the presenter view should show this slide's notes"


def text(markup):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())

"""The bot's web page in a real browser: headless Chromium (through chromedriver) on `serve_page.py` (`make
serve-bot`: chalice local) and step 03's endpoint (`make serve`) with the toy model. A photo picked with JavaScript
on, then through the plain form with JavaScript off; each gets three places and the map. Screenshots go to
build/page/ (docs/page.png in the README is one)."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from workshop.paths import ROOT

DRIVER = shutil.which("chromedriver")
BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
pytestmark = pytest.mark.skipif(
    DRIVER is None or BROWSER is None,
    reason="no Chromium and chromedriver to drive the page with: install them (`sudo apt-get install chromium "
    "chromium-driver` on Debian/Ubuntu) and rerun to check the page in a browser",
)
PHOTO = ROOT / "photos" / "cape-canaveral-falcon9-dscovr.jpg"
SHOTS = ROOT / "build" / "page"
START_SECONDS = 90


def started(command, ready, cwd=ROOT):
    """Run `command` until a line of its output matches `ready`: (process, the match)."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    seen, deadline = [], time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        found = re.search(ready, line)
        if found:
            return process, found
    process.kill()
    pytest.fail(f"{command[1]} did not start:\n{''.join(seen)[-3000:]}")


def stop(process):
    """Stop `process` and what it started (its own session: serve_page.py's chalice local among them)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stdout.close()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def toy_endpoint(artifact):
    """`make serve` on the checkpoint's toy model (the solutions' serve.py), on a free port."""
    command = [sys.executable, str(ROOT / "solutions" / "03_host" / "serve.py"), "--model-dir",
               str(artifact("model")), "--port", "0"]
    process, found = started(command, r"(http://127\.0\.0\.1:\d+)")
    yield found.group(1)
    stop(process)


@pytest.fixture(scope="module")
def page_url(tree, toy_endpoint):
    """`make serve-bot`: serve_page.py of the tree under test (chalice local), answered by the toy endpoint."""
    port = free_port()
    command = [sys.executable, "serve_page.py", "--port", str(port), "--endpoint", toy_endpoint]
    process, _ = started(command, r"The bot's page: ", cwd=tree / "04_bot")
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_SECONDS
    while True:  # chalice local starts after the line above
        try:
            with urllib.request.urlopen(url, timeout=5):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                stop(process)
                pytest.fail("chalice local did not answer GET /")
            time.sleep(0.3)
    yield url
    stop(process)


def chromium(tmp_path, javascript):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--hide-scrollbars", "--window-size=1000,1400", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=Service(DRIVER), options=options)


@pytest.fixture
def browser(tmp_path, request):
    driver = chromium(tmp_path, javascript=request.param)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def answer_on(driver):
    """The reply's lines and the map's size, once the answer is on the page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#answer .reply, #answer .refusal"))
    refusals = driver.find_elements(By.CSS_SELECTOR, "#answer .refusal")
    assert not refusals, f"the page refused the photo: {refusals[0].text}"
    lines = driver.find_element(By.CSS_SELECTOR, "#answer .reply").text.splitlines()
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.getElementById('map').complete"))
    size = driver.execute_script("var m = document.getElementById('map'); return [m.naturalWidth, m.naturalHeight]")
    return lines, size


@pytest.mark.parametrize("browser", [True, False], ids=["javascript", "plain form"], indirect=True)
def test_a_picked_photo_gets_three_places_and_the_map(browser, page_url, request):
    from selenium.webdriver.common.by import By

    javascript = request.node.callspec.id == "javascript"
    browser.get(page_url)
    assert "Where your photo goes" in browser.page_source
    browser.find_element(By.ID, "photo").send_keys(str(PHOTO))
    started_at = time.perf_counter()
    browser.find_element(By.CSS_SELECTOR, "#ask button").click()
    lines, size = answer_on(browser)
    seconds = time.perf_counter() - started_at
    assert len(lines) == 3 and all(re.match(rf"📍 {n}\. .+ (\d+%|<1%)$", line) for n, line in zip("123", lines)), (
        f"three places, one a line, as on X: {lines}")
    assert size == [1440, 720], "the map the bot attaches"
    assert browser.current_url.endswith("/") == javascript, (
        "with JavaScript the page stays; without it the form posts to /ask, which answers with the page")
    assert "km from where the photo was taken" in browser.page_source, "the photo's GPS EXIF gives distances"
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"page-{'js' if javascript else 'form'}.png"))
    print(f"The page answered in {seconds:.2f} s ({'JavaScript' if javascript else 'the plain form'})")

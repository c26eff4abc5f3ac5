"""check-platforms against a small package index on 127.0.0.1: the table it prints, and offline vs online."""
import json
import os
import re
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata

import pytest

from workshop import check_platforms
from workshop.paths import ROOT

PURE_SDIST = f"six=={metadata.version('six')}"  # installed here as py2.py3-none-any; the index below has only its sdist
INDEX = {
    "alpha": ["alpha-1.0-py3-none-any.whl", "alpha-1.0.tar.gz"],
    "beta": ["beta-2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
             "beta-2.0-cp311-cp311-macosx_10_9_x86_64.whl", "beta-2.0-cp311-cp311-macosx_11_0_arm64.whl"],
    # 3.0 dropped Intel Macs (like cryptography 49); 2.5 still had them; 3.1a1 is a pre-release
    "gamma": ["gamma-2.5-cp311-cp311-macosx_10_12_x86_64.whl", "gamma-3.0-cp311-cp311-manylinux_2_28_x86_64.whl",
              "gamma-3.0-cp311-cp311-macosx_11_0_arm64.whl", "gamma-3.1a1-cp311-cp311-macosx_10_12_x86_64.whl"],
    # a wheel for newer Linux than the README claims (glibc 2.34), one for another Python
    "delta": ["delta-1.0-cp311-cp311-manylinux_2_34_x86_64.whl", "delta-1.0-cp312-cp312-macosx_10_13_x86_64.whl"],
    # one wheel for old glibc and one for new, like cryptography: pip takes the newest the platform allows
    "epsilon": ["epsilon-1.0-cp311-abi3-manylinux2014_x86_64.whl", "epsilon-1.0-cp311-abi3-manylinux_2_28_x86_64.whl",
                "epsilon-1.0-cp311-abi3-macosx_10_9_universal2.whl"],
    "six": [f"six-{metadata.version('six')}.tar.gz"],
}
PINS = ["alpha==1.0", "beta==2.0", "gamma==3.0", "delta==1.0", "epsilon==1.0", PURE_SDIST]


class SimpleIndex(BaseHTTPRequestHandler):
    """The JSON simple API (PEP 691) of INDEX."""

    def do_GET(self):
        name = self.path.strip("/").split("/")[-1]
        if name not in INDEX:
            self.send_error(404)
            return
        files = [{"filename": file, "url": f"/files/{file}", "hashes": {}, "requires-python": ">=3.8"}
                 for file in INDEX[name]]
        body = json.dumps({"meta": {"api-version": "1.0"}, "name": name, "files": files}).encode()
        self.send_response(200)
        self.send_header("Content-Type", check_platforms.JSON_SIMPLE_API)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def index_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), SimpleIndex)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/simple"
    server.shutdown()


@pytest.fixture
def root(tmp_path):
    (tmp_path / "constraints.txt").write_text("# pinned\n" + "\n".join(PINS) + "\n")
    return tmp_path


def rows(printed):
    """The table's rows, read back from what was printed: {(package, platform): wheel found}."""
    lines = printed.splitlines()
    start = next(number for number, line in enumerate(lines) if line.split() == ["package", "platform", "wheel", "found"])
    table = {}
    for line in lines[start + 1:start + 1 + 2 * len(PINS)]:
        pin, platform, found = [part.strip() for part in line.split("  ") if part.strip()]
        table[pin, platform] = found
    return table


def printed_by_check(root, index_url, capsys):
    check_platforms.main(root, index_url)
    return capsys.readouterr().out


def test_the_table_names_the_wheel_pip_would_take_on_each_platform(root, index_url, capsys):
    assert check_platforms.main(root, index_url) == 1  # gamma and delta have none for an Intel Mac
    table = rows(capsys.readouterr().out)
    assert table["alpha==1.0", "Linux x86_64"] == table["alpha==1.0", "macOS Intel"] == "alpha-1.0-py3-none-any.whl"
    assert table["beta==2.0", "Linux x86_64"] == "beta-2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    assert table["beta==2.0", "macOS Intel"] == "beta-2.0-cp311-cp311-macosx_10_9_x86_64.whl"
    assert table["gamma==3.0", "Linux x86_64"] == "gamma-3.0-cp311-cp311-manylinux_2_28_x86_64.whl"
    assert table["epsilon==1.0", "Linux x86_64"] == "epsilon-1.0-cp311-abi3-manylinux_2_28_x86_64.whl"
    assert table["epsilon==1.0", "macOS Intel"] == "epsilon-1.0-cp311-abi3-macosx_10_9_universal2.whl"


def test_a_pin_without_a_wheel_names_the_newest_version_that_has_one(root, index_url, capsys):
    check_platforms.main(root, index_url)
    captured = capsys.readouterr()
    table = rows(captured.out)
    assert table["gamma==3.0", "macOS Intel"] == "NO WHEEL (the newest version with one: 2.5)"
    assert table["delta==1.0", "Linux x86_64"] == "NO WHEEL (no version has one)", "glibc 2.34 is more than claimed"
    assert table["delta==1.0", "macOS Intel"] == "NO WHEEL (no version has one)", "a cp312 wheel is not for 3.11"
    assert "Linux x86_64: 5 of 6 pins install, 4 from wheels." in captured.out
    assert "macOS Intel: 4 of 6 pins install, 3 from wheels." in captured.out
    assert "3 pin(s) have no wheel where README.md says they install" in captured.err


def test_a_pure_python_sdist_built_here_counts_as_installing_anywhere(root, index_url, capsys):
    table = rows(printed_by_check(root, index_url, capsys))
    for platform in check_platforms.PLATFORMS:
        assert table[PURE_SDIST, platform].startswith("no wheel; its sdist is pure Python")


def test_every_pin_with_a_wheel_everywhere_passes(tmp_path, index_url, capsys):
    (tmp_path / "constraints.txt").write_text("alpha==1.0\nbeta==2.0\n")
    assert check_platforms.main(tmp_path, index_url) == 0
    assert "Linux x86_64: 2 of 2 pins install, 2 from wheels." in capsys.readouterr().out


def test_without_the_index_it_says_it_could_not_check_and_exits_0(root, capsys):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens there once the socket is closed
    assert check_platforms.main(root, f"http://127.0.0.1:{port}/simple") == 0
    printed = capsys.readouterr().out
    assert printed.startswith("check-platforms: NOT CHECKED.") and "could not be reached" in printed
    assert "wheel found" not in printed and "pins install" not in printed, "an offline run must not look like a result"


def test_the_claimed_platforms_accept_what_their_machines_run_and_nothing_else():
    linux = check_platforms.tag_ranks(check_platforms.PLATFORMS["Linux x86_64"])
    mac = check_platforms.tag_ranks(check_platforms.PLATFORMS["macOS Intel"])
    names = {str(tag) for tag in linux}
    assert {"cp311-cp311-manylinux_2_28_x86_64", "cp311-abi3-manylinux2014_x86_64", "py3-none-any"} <= names
    assert "cp311-cp311-manylinux_2_29_x86_64" not in names and "cp312-cp312-manylinux_2_17_x86_64" not in names
    names = {str(tag) for tag in mac}
    assert {"cp311-cp311-macosx_12_0_x86_64", "cp311-cp311-macosx_10_9_universal2", "py3-none-any"} <= names
    assert "cp311-cp311-macosx_13_0_x86_64" not in names and "cp311-cp311-macosx_12_0_arm64" not in names


def test_the_index_is_pips_own(tmp_path, index_url, monkeypatch, capsys):
    monkeypatch.setenv("PIP_INDEX_URL", index_url)
    assert check_platforms.index_url() == index_url, "PIP_INDEX_URL (as `pip config list` shows it) is the index"
    (tmp_path / "constraints.txt").write_text("alpha==1.0\n")
    assert check_platforms.main(tmp_path) == 0
    assert f"from {index_url}" in capsys.readouterr().out


def test_without_configuration_the_index_is_pips_default(monkeypatch):
    """The default `pip install --help` states: pip's command line, not its private modules (pip._internal)."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # no config file, no environment setting
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    assert re.fullmatch(r"https://[\w.-]+/simple/?", check_platforms.index_url())


HOSTS = re.compile(r"pypi\.org|pythonhosted\.org|debian\.org|ubuntu\.com|npmjs\.(?:org|com)", re.I)


def test_the_repository_names_no_package_host():
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    named = [f"{path}:{number}" for path in listed.splitlines() if (ROOT / path).is_file()
             and not path.endswith((".png", ".jpg", ".params", ".gz"))
             for number, line in enumerate((ROOT / path).read_text(errors="replace").splitlines(), start=1)
             if HOSTS.search(line)]
    assert named == [], f"these lines name a package host: take it from the tool's own configuration ({named})"

"""`make setup` stops before pip, with one paragraph, on a machine MXNet 1.9.1 cannot run on (faked here)."""
import os
import platform
import shutil
import subprocess
import sys

import pytest

from workshop import platform_support
from workshop.paths import ROOT

UNSUPPORTED = [
    ("darwin", "arm64", "macOS arm64 (Apple Silicon)"),
    ("win32", "AMD64", "Windows (x86_64, outside WSL)"),
    ("cygwin", "x86_64", "Windows (x86_64, outside WSL)"),
    ("linux", "aarch64", "Linux aarch64"),
]
WAYS_IN = ['"Reopen in Container"', "devcontainer up --workspace-folder .", "Create codespace",
           "gh codespace create", "wsl --install -d Ubuntu", "make demo"]


def fake(monkeypatch, system, machine, rosetta=False):
    monkeypatch.setattr(sys, "platform", system)
    monkeypatch.setattr(platform, "machine", lambda: machine)
    monkeypatch.setattr(platform_support, "under_rosetta", lambda: rosetta)


@pytest.mark.parametrize("system, machine, named", UNSUPPORTED)
def test_a_machine_without_mxnet_wheels_gets_one_paragraph_with_three_ways_in(monkeypatch, capsys, system, machine,
                                                                              named):
    fake(monkeypatch, system, machine)
    assert platform_support.main() == 1
    paragraph = capsys.readouterr().err
    assert paragraph.startswith(f"This machine is {named}:") and paragraph.count("\n") == 1
    assert "MXNet 1.9.1" in paragraph
    for way in WAYS_IN:
        assert way in paragraph, f"the paragraph should say {way!r}"


def test_an_intel_python_under_rosetta_counts_as_apple_silicon(monkeypatch, capsys):
    fake(monkeypatch, "darwin", "x86_64", rosetta=True)
    assert platform_support.main() == 1
    assert "under Rosetta (an Apple Silicon Mac)" in capsys.readouterr().err


@pytest.mark.parametrize("system, machine", [("linux", "x86_64"), ("darwin", "x86_64")])
def test_linux_x86_64_and_intel_macs_go_on_silently(monkeypatch, capsys, system, machine):
    fake(monkeypatch, system, machine)
    assert platform_support.main() == 0
    assert capsys.readouterr().err == ""


FAKE_PLATFORM = """\
import platform, runpy, sys
runpy.run_path({guard!r})  # the test suite's network guard, which this file shadows
sys.platform = {system!r}
platform.machine = lambda: {machine!r}
"""


@pytest.mark.parametrize("system, machine, named", UNSUPPORTED)
def test_make_setup_on_such_a_machine_stops_before_making_a_venv_or_running_pip(tmp_path, system, machine, named):
    for name in ("Makefile", "pyproject.toml", "requirements.txt", "constraints.txt", "workshop/platform_support.py",
                 "workshop/python_version.py", "workshop/install.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "fake").mkdir()
    guard = ROOT / "tests/netguard/sitecustomize.py"
    (tmp_path / "fake/sitecustomize.py").write_text(FAKE_PLATFORM.format(guard=str(guard), system=system,
                                                                         machine=machine))
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "fake"))
    make = subprocess.run(["make", "setup", f"PYTHON3={sys.executable}"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert make.returncode != 0
    assert f"This machine is {named}:" in make.stderr and "Reopen in Container" in make.stderr
    assert "Installing" not in make.stdout and not (tmp_path / ".venv").exists(), "pip ran all the same"

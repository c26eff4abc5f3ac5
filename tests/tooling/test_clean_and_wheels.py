"""`make clean` keeps the downloads and says what it removed; only what packages the bot waits for the Lambda wheels.

Each test runs make on a copy of the Makefile and workshop/clean.py in a folder of its own, never on this checkout.
"""
import shutil
import subprocess

import pytest

from workshop.paths import ROOT

DOWNLOADS = ["build/locationnet/RN101-5k500-0012.params", "build/locationnet.partial/RN101-5k500-0012.params",
             "build/testsets/mediaeval2016/photos/0a.jpg", "build/lambda-wheels/pillow-12.2.0.whl"]
MADE = ["build/demo/reply.png", "build/checkpoint/model/model-0000.params", "build/bench.md",
        "steps/01_data/__pycache__/prepare.cpython-311.pyc", ".pytest_cache/README.md"]
KEPT = ["backups/01_data-1/prepare.py", ".venv/lib/__pycache__/site.cpython-311.pyc"]


@pytest.fixture
def checkout(tmp_path):
    """A folder with the Makefile and workshop/clean.py, downloads, things the commands made, and your saved work."""
    for name in ("Makefile", "workshop/clean.py", "requirements.txt", "constraints.txt",
                 "solutions/04_bot/requirements.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    for name in DOWNLOADS + MADE + KEPT:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * 2000)
    return tmp_path


def make(checkout, *goals):
    return subprocess.run(["make", "-s", "-C", str(checkout), *goals], capture_output=True, text=True, timeout=60)


def planned(checkout, *goals):
    """What `make GOALS` would run, the venv taken as installed (make -n)."""
    plan = make(checkout, "-n", "-o", ".venv/.installed", *goals)
    assert plan.returncode == 0, plan.stderr
    return plan.stdout


def test_make_clean_keeps_the_downloads_and_says_what_it_removed(checkout):
    result = make(checkout, "clean")
    assert result.returncode == 0, result.stderr
    assert [name for name in DOWNLOADS + KEPT if not (checkout / name).exists()] == [], "downloads and saved work stay"
    assert [name for name in MADE if (checkout / name).exists()] == [], "what the commands made goes"
    for removed in ("build/demo", "build/checkpoint", "build/bench.md", ".pytest_cache"):
        assert f"Removed {removed} (" in result.stdout, result.stdout
    assert "Kept the downloads: build/locationnet (2 kB)" in result.stdout and "make clean-downloads" in result.stdout


def test_make_clean_downloads_removes_them_too_and_says_so(checkout):
    result = make(checkout, "clean-downloads")
    assert result.returncode == 0, result.stderr
    assert not (checkout / "build").exists(), "nothing is left in build/"
    assert all((checkout / name).exists() for name in KEPT), "your saved work and .venv stay"
    for removed in ("build/locationnet", "build/testsets", "build/lambda-wheels"):
        assert f"Removed {removed} (" in result.stdout, result.stdout


def test_a_second_clean_has_nothing_to_remove(checkout):
    make(checkout, "clean")
    assert "Nothing to remove." in make(checkout, "clean").stdout


NO_WHEELS_NEEDED = [["test-step", "1"], ["watch-step", "1"], ["status"], ["test"], ["check-workshop"]]


@pytest.mark.parametrize("goals", NO_WHEELS_NEEDED, ids=" ".join)
def test_only_packaging_the_bot_waits_for_the_lambda_wheels(checkout, goals):
    """After `make clean-downloads` (or offline, on a fresh clone), these run without fetching the wheels."""
    make(checkout, "clean-downloads")
    plan = planned(checkout, *goals)
    assert "workshop" in plan and "fetch_wheels" not in plan, f"make {' '.join(goals)} waits on the wheels:\n{plan}"


@pytest.mark.parametrize("goals", [["bench"], ["wheels"]], ids=" ".join)
def test_what_packages_the_bot_fetches_the_wheels_first(checkout, goals):
    make(checkout, "clean-downloads")
    assert "fetch_wheels" in planned(checkout, *goals)

"""A tree laid out like steps/ anywhere tests the same: a copy of solutions/ outside the checkout passes the step
tests that read files beside the step code (LocationNet's grids.txt, the cells, the toy world's land mask), so no
step file finds what it needs above its own folder (`make test-step 3 TREE=DIR`)."""
import shutil
import subprocess
import sys

import pytest

from workshop.paths import ROOT

# For each step, test files that load what the step's code keeps beside it; for step 3 every test of LocationNet's
# files (where a script once looked for grids.txt above its folder). The whole suites run in `make test`.
QUICK = {
    "step01": ["test_cells.py", "test_sample.py"],
    "step02": ["test_geo.py", "test_model_folder.py"],
    "step03": sorted(path.name for path in (ROOT / "tests" / "step03").glob("test_*locationnet*.py")) + [
        "test_inference.py"],
    "step04": ["test_reply.py", "test_map_image.py"],
}
# Reads only the installed land mask (4 CPU s and 930 MB to unpack it), nothing beside the step code: its suite runs it.
ELSEWHERE_ALREADY = ["tests/step04/test_map_image.py::test_make_basemap_asks_the_land_mask_through_its_public_api"]


@pytest.fixture(scope="module")
def copy_elsewhere(tmp_path_factory):
    """solutions/ copied to a temporary folder outside the checkout, without caches."""
    copy = tmp_path_factory.mktemp("elsewhere") / "tree"
    shutil.copytree(ROOT / "solutions", copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    assert not copy.resolve().is_relative_to(ROOT.resolve())
    return copy


def test_a_copy_of_solutions_outside_the_checkout_passes_the_steps_tests(copy_elsewhere):
    """The four steps' files in one pytest run: one process imports MXNet and the SDK once."""
    files = [f"tests/{suite}/{name}" for suite, names in QUICK.items() for name in names]
    deselected = [f"--deselect={test}" for test in ELSEWHERE_ALREADY]
    result = subprocess.run([sys.executable, "-m", "pytest", *files, *deselected, "-q", "-x", "-p", "no:cacheprovider",
                             f"--tree={copy_elsewhere}"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"against a copy of solutions/ in {copy_elsewhere}:\n{result.stdout[-3000:]}"

"""docs/architecture.png is what docs/architecture.py draws (compared pixel by pixel, not as PNG bytes)."""
import importlib.util

from PIL import Image, ImageChops

from workshop.paths import ROOT


def test_the_architecture_picture_is_what_its_script_draws():
    spec = importlib.util.spec_from_file_location("architecture", ROOT / "docs" / "architecture.py")
    architecture = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(architecture)
    drawn = architecture.draw().convert("RGB")
    with Image.open(ROOT / "docs" / "architecture.png") as committed:
        committed = committed.convert("RGB")
    assert committed.size == drawn.size and ImageChops.difference(committed, drawn).getbbox() is None, (
        "docs/architecture.png differs from what docs/architecture.py draws: run "
        "`.venv/bin/python docs/architecture.py` and commit the new PNG."
    )

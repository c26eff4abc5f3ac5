"""Where things are in the repository: the one place the host side finds its root."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
STEPS = ROOT / "steps"
BUILD = ROOT / "build"
PHOTOS = ROOT / "photos"
TESTS = ROOT / "tests"

"""The deck, built once per test session into a temporary folder (its pictures come from the cached checkpoints)."""
from types import SimpleNamespace

import pytest

from workshop import loader
from workshop.paths import ROOT


@pytest.fixture(scope="session")
def renderer():
    """slides/build.py, the renderer behind `make slides`."""
    return loader.load(ROOT / "slides", "build")


@pytest.fixture(scope="session")
def built(renderer, tmp_path_factory):
    """The real deck, rendered: its slides, its HTML page and where the page is."""
    out = tmp_path_factory.mktemp("slides") / "index.html"
    slides = renderer.build(out=out, say=lambda message: None)
    return SimpleNamespace(slides=slides, page=out.read_text(encoding="utf-8"), path=out)

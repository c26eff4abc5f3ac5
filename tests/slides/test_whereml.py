"""slides/whereml.md: the talk covers every step of workshop.toml with its code, its check and its pictures."""
import pytest
from PIL import Image

from workshop import loader, manifest
from workshop.paths import ROOT

PICTURES = [
    ("docs/architecture.png", "the architecture picture"),
    ("build/checkpoint/data/cells.png", "the map of the cells (step 1)"),
    ("build/checkpoint/model/output/curves.png", "the training curves (step 2)"),
    ("build/slides/reply/map.png", "a reply image (step 4)"),
]


@pytest.mark.parametrize("step", manifest.steps(), ids=lambda step: step.folder)
def test_every_step_has_its_code_its_todos_and_its_check(built, step):
    shown = [e for slide in built.slides for e in slide.excerpts if e.path.startswith(f"solutions/{step.folder}/")]
    assert shown, f"no slide shows code of solutions/{step.folder}: add an <!-- include: ... --> for it"
    markdown = "\n".join(slide.markdown for slide in built.slides)
    assert f"make test-step {step.number}" in markdown, f"no slide says how to check step {step.number}"
    for todo in step.todos:
        assert f"| {todo.id} |" in markdown, f"TODO {todo.id} is missing: add <!-- todos: {step.number} -->"


@pytest.mark.parametrize("path, what", PICTURES, ids=[what for _, what in PICTURES])
def test_the_talk_shows_the_repositorys_own_pictures(built, path, what):
    assert any(path in slide.pictures for slide in built.slides), f"no slide shows {what} ({path})"


def test_the_im2gps_table_has_both_models(built):
    rows = {
        "PlaNet": ["8.4", "24.5", "37.6", "53.6", "71.3"],
        "LocationNet": ["16.8", "39.2", "48.9", "67.9", "82.2"],
    }
    lines = {line.replace("*", "") for slide in built.slides for line in slide.markdown.splitlines()}
    for model, figures in rows.items():
        row = f"| {model} | " + " | ".join(f"{figure} %" for figure in figures) + " |"
        assert row in lines, f"the Im2GPS table should have the row {row}"


def test_the_talk_shows_the_evaluation_table_and_a_real_photo_answered(built):
    slide = next((s for s in built.slides if any(e.path == "build/slides/evaluation/table.txt" for e in s.excerpts)),
                 None)
    assert slide, "no slide shows the evaluation table (<!-- include: build/slides/evaluation/table.txt -->)"
    assert {"build/slides/evaluation/photo.jpg", "build/slides/evaluation/map.png"} <= set(slide.pictures)
    assert any(e.path == "build/slides/evaluation/reply.txt" for e in slide.excerpts), "the photo's reply is shown"


@pytest.fixture(scope="module")
def outputs():
    return loader.load(ROOT / "slides", "outputs")


def test_before_make_evaluate_the_slide_says_which_command_fills_it(outputs, tmp_path):
    folder = tmp_path / "slides"
    outputs.make_evaluation(lambda message: None, tmp_path / "no-evaluation", folder)
    assert "`make evaluate`" in (folder / "table.txt").read_text()
    assert "`make locationnet`, then `make evaluate`" in (folder / "reply.txt").read_text()
    assert Image.open(folder / "photo.jpg").format == "JPEG" and Image.open(folder / "map.png").format == "PNG"


def test_after_make_evaluate_the_slide_shows_what_it_wrote(outputs, tmp_path):
    evaluated, folder = tmp_path / "evaluate", tmp_path / "slides"
    evaluated.mkdir()
    written = {"table.txt": b"share of photos within  1 km\n", "reply.txt": "📍 1. Paris\n".encode(),
               "photo.jpg": b"\xff\xd8 a photo", "map.png": b"\x89PNG a map"}
    for name, body in written.items():
        (evaluated / name).write_bytes(body)
    outputs.make_evaluation(lambda message: None, evaluated, folder)
    assert {name: (folder / name).read_bytes() for name in written} == written


def test_a_toy_only_evaluation_shows_its_table_and_the_photo_placeholder(outputs, tmp_path):
    evaluated, folder = tmp_path / "evaluate", tmp_path / "slides"
    evaluated.mkdir()
    (evaluated / "table.txt").write_text("Step-02 model fp32, val photos  0.0 %\n")
    outputs.make_evaluation(lambda message: None, evaluated, folder)
    assert (folder / "table.txt").read_text().startswith("Step-02 model")
    assert "`make locationnet`" in (folder / "reply.txt").read_text()

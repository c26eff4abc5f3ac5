"""slides/whereml.md: the talk covers every step of workshop.toml with its code, its check and its pictures."""
import pytest

from workshop import manifest

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

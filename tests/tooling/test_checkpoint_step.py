"""`make checkpoint-step N`: the artifacts step N starts from are made once, by the solutions, and their place shown."""
from workshop import checkpoint_step

MAKE_DATA = """
[artifacts.data]
path = "build/checkpoint/data"
made_from = ["solutions/01_calc"]
needs = []
command = ["{python}", "-c",
    "import os, sys; os.makedirs(sys.argv[1]); open(sys.argv[1] + '/cells.tsv', 'w').write('made')",
    "{path}"]
"""


def test_the_artifacts_are_made_and_where_they_are_is_said(repo, edit, capsys):
    edit(repo / "workshop.toml", 'say hello"\ncheckpoint = []', 'say hello"\ncheckpoint = ["data"]')
    (repo / "workshop.toml").write_text((repo / "workshop.toml").read_text() + MAKE_DATA)
    assert checkpoint_step.main(2, repo) == 0
    assert (repo / "build/checkpoint/data/cells.tsv").read_text() == "made"
    assert "Step 2 starts from the data in build/checkpoint/data/" in capsys.readouterr().out
    (repo / "build/checkpoint/data/cells.tsv").write_text("kept")
    checkpoint_step.main(2, repo)
    assert (repo / "build/checkpoint/data/cells.tsv").read_text() == "kept", "an unchanged artifact was made again"


def test_a_step_without_checkpoint_starts_from_its_starter(repo, capsys):
    assert checkpoint_step.main(1, repo) == 0
    assert capsys.readouterr().out == "Step 1 starts from nothing but its starter: steps/01_calc.\n"

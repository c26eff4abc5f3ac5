"""Bad input to the step commands: one clear sentence and a non-zero exit, through `python -m workshop` and make."""
import subprocess

import pytest

from workshop.__main__ import main as cli
from workshop.paths import ROOT

STEP_COMMANDS = ["test-step", "hint-step", "diff-step", "reset-step", "checkpoint-step"]
BAD_INPUTS = [
    (["7"], "There is no step '7': the steps are 1, 2 (e.g. `make test-step 1`)."),
    (["x"], "There is no step 'x': the steps are 1, 2 (e.g. `make test-step 1`)."),
    ([], "Say which step: `make {command} 1` (the steps are 1, 2)."),
    (["1", "2"], "One step at a time: `make {command} 1` (the steps are 1, 2)."),
]


@pytest.mark.parametrize("command", STEP_COMMANDS)
@pytest.mark.parametrize("given, sentence", BAD_INPUTS, ids=["step 7", "step x", "missing step", "two steps"])
def test_a_bad_step_number_gets_one_sentence_and_touches_nothing(repo, command, given, sentence):
    before = {path: path.read_bytes() for path in sorted(repo.rglob("*")) if path.is_file()}
    with pytest.raises(SystemExit) as stop:
        cli(["--root", str(repo), command, *given])
    assert str(stop.value.code) == sentence.format(command=command)
    assert {path: path.read_bytes() for path in sorted(repo.rglob("*")) if path.is_file()} == before


def test_generate_only_needs_a_folder_of_its_own(repo):
    with pytest.raises(SystemExit, match="give it a folder with --out, never steps/"):
        cli(["--root", str(repo), "generate", "--only", "01.1"])
    with pytest.raises(SystemExit, match="workshop.toml has no TODO 09.9"):
        cli(["--root", str(repo), "generate", "--only", "09.9", "--out", str(repo / "copy")])


def test_generate_only_writes_a_copy_with_one_stub(repo):
    assert cli(["--root", str(repo), "generate", "--only", "01.2", "--out", str(repo / "copy")]) == 0
    calc = (repo / "copy/01_calc/calc.py").read_text()
    assert "return a + b" in calc and 'raise NotImplementedError("TODO 01.2: double a number")' in calc
    assert "Hello" in (repo / "copy/02_greet/greet.py").read_text()


@pytest.mark.parametrize(
    "goals, sentence",
    [
        (["test-step", "7"], "There is no step '7': the steps are"),
        (["reset-step", "x"], "There is no step 'x': the steps are"),
        (["hint-step"], "Say which step: `make hint-step 1`"),
        (["diff-step", "1", "2"], "One step at a time: `make diff-step 1`"),
        (["train", "ROLE=arn:aws:iam::1:role/r"], "Training on SageMaker needs the dataset too"),
        (["deploy", "ROLE=arn:aws:iam::1:role/r"], "Deploying needs the model and a role"),
    ],
    ids=["make test-step 7", "make reset-step x", "make hint-step", "make diff-step 1 2", "make train without DATA",
         "make deploy without MODEL_DATA"],
)
def test_make_passes_the_step_number_and_fails_with_the_sentence(goals, sentence):
    # -o: the venv and the Lambda wheels are there (this test runs in that venv); never install from a test.
    installed = ["-o", ".venv/.installed", "-o", "build/lambda-wheels/.fetched"]
    result = subprocess.run(["make", "-s", "-C", str(ROOT), *installed, *goals],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stderr.splitlines()[0].startswith(sentence)

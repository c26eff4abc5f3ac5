"""The manifest: well-formed, and in step with the solution regions (this one checks the real repository too)."""
import pytest

from workshop import generate, manifest
from workshop.paths import ROOT


@pytest.mark.parametrize(
    "old, new, problem",
    [
        ('label = "add two numbers"', 'label = " "', "TODO 01.1 of step 1 has an empty label: write one line for it."),
        ('hint = "An f-string."', 'hint = ""', "TODO 02.1 of step 2 has an empty hint: write each level of `hints`"),
        ('id = "02.1"', 'id = "01.1"', "TODO 01.1 of step 2: its id must read '02.k'"),
        ('id = "01.2"', 'id = "01.1"', "TODO 01.1 of step 1 is listed twice: give each TODO its own id."),
        ('number = 2', 'number = 3', "Step 3 (02_greet) is listed where step 2 belongs"),
        ('checkpoint = []\n\n[[steps.todos]]\nid = "02.1"', 'checkpoint = ["model"]\n\n[[steps.todos]]\nid = "02.1"',
         "Step 2 starts from artifact 'model', which no [artifacts.model] defines."),
    ],
    ids=["empty label", "empty hint", "id of another step", "id twice", "numbers out of order", "unknown artifact"],
)
def test_a_bad_manifest_is_described_in_one_sentence(repo, edit, old, new, problem):
    edit(repo / "workshop.toml", old, new)
    assert any(found.startswith(problem) for found in manifest.problems(repo)), manifest.problems(repo)


def test_an_artifact_must_name_real_folders_and_needs(repo, write):
    with open(repo / "workshop.toml", "a") as file:
        file.write('\n[artifacts.model]\npath = "build/m"\nmade_from = ["solutions/09_x"]\nneeds = ["data"]\n'
                   'command = ["{python}", "make.py"]\n')
    assert manifest.problems(repo) == [
        "Artifact 'model' needs 'data', which no [artifacts.data] defines.",
        "Artifact 'model' is made from solutions/09_x, which does not exist.",
    ]


def test_a_step_is_found_by_number_or_folder(repo):
    assert manifest.step("01", repo).folder == "01_calc"
    assert manifest.step("02_greet", repo).number == 2


def test_the_real_manifest_is_well_formed():
    assert manifest.problems(ROOT) == []


def test_the_real_manifest_and_solution_regions_match_one_to_one():
    """Every TODO has exactly one region, and every region's id is a TODO (else the generator names the line)."""
    generate.starter_tree(ROOT)


def test_the_real_steps_each_have_a_title_and_todos():
    for step in manifest.steps(ROOT):
        assert step.title.strip(), f"step {step.number} needs a title in workshop.toml"
        assert step.todos, f"step {step.number} lists no [[steps.todos]] in workshop.toml"


def test_wrong_variants_are_read_from_their_own_file_by_todo(repo, write):
    write(repo / "variants.toml", '[[variants]]\ntodo = "02.1"\nmistake = "no comma"\n'
          "code = '''\nreturn f\"Hello {name}!\"\n'''\n")
    assert manifest.variants(repo) == {"02.1": (manifest.Variant("no comma", 'return f"Hello {name}!"\n'),)}
    assert manifest.variant_problems(repo) == []


def test_a_variant_of_an_unknown_todo_is_a_problem(repo, write):
    write(repo / "variants.toml", '[[variants]]\ntodo = "02.9"\nmistake = "m"\ncode = "return 1"\n')
    assert "lists wrong variants of TODO '02.9', which workshop.toml does not have" in manifest.variant_problems(
        repo)[0]


def test_the_manifest_holds_no_wrong_variants():
    assert "[[steps.todos.variants]]" not in (ROOT / "workshop.toml").read_text(), "they belong in variants.toml"


def test_the_real_wrong_variants_are_valid_python_and_differ_from_their_solution():
    assert [problem for step in manifest.steps(ROOT) for problem in generate.variant_problems(step)] == []

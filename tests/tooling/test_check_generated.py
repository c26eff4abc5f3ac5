"""`make check-generated`: a hand-edited, extra or missing starter file is named, and the answer is one sentence."""
import pytest

from workshop import check_generated, generate, readme


def test_a_freshly_generated_repository_passes(repo, capsys):
    assert check_generated.main(repo) == 0
    assert "steps/ matches solutions/" in capsys.readouterr().out


@pytest.mark.parametrize(
    "damage, named",
    [
        (lambda repo: (repo / "steps/01_calc/calc.py").write_text("def add(a, b):\n    return a + b\n"),
         "steps/01_calc/calc.py: differs from what the generator makes from line 1 on"),
        (lambda repo: (repo / "steps/01_calc/mine.py").write_text("x = 1\n"),
         "steps/01_calc/mine.py: extra (no solutions/01_calc/mine.py makes it)"),
        (lambda repo: (repo / "steps/01_calc/helpers.py").unlink(),
         "steps/01_calc/helpers.py: missing (the generator makes it from solutions/01_calc/helpers.py)"),
        (lambda repo: (repo / "steps/07_extra").mkdir(),
         "steps/07_extra: extra (workshop.toml has no step in that folder)"),
        (lambda repo: (repo / "solutions/02_greet/greet.py").write_text("def hello(name):\n    # BEGIN SOLUTION 02.1\n"
                                                                        "    return 'Hi'\n    # END SOLUTION\n"
                                                                        "# new line\n"),
         "steps/02_greet/greet.py: differs from what the generator makes from line 3 on"),
    ],
    ids=["hand-edited starter", "extra file", "missing file", "extra folder", "solution changed, not regenerated"],
)
def test_a_difference_is_named_and_fails(repo, capsys, damage, named):
    damage(repo)
    assert check_generated.main(repo) == 1
    out = capsys.readouterr().out
    assert named in out
    assert out.strip().splitlines()[-1].startswith("steps/ is out of date with solutions/ (1 file(s) above)")


def test_the_readme_step_table_must_follow_the_manifest(repo, write):
    write(repo / "README.md", f"# Demo\n\n{readme.BEGIN}\n{readme.END}\n")
    assert check_generated.differences(repo) == ["README.md: its step table does not match workshop.toml"]
    generate.generate(repo)
    assert "| 2 | [steps/02_greet](steps/02_greet/README.md) | Greet: say hello | 1 | nothing |" in (
        (repo / "README.md").read_text()
    )
    assert check_generated.differences(repo) == []


def test_caches_and_local_deployments_in_steps_are_not_differences(repo, write):
    write(repo / "steps/01_calc/__pycache__/calc.cpython-311.pyc", "x")
    write(repo / "steps/01_calc/.chalice/deployments/dev.json", "{}")
    assert check_generated.differences(repo) == []


def test_a_step_readmes_todo_table_and_hints_come_from_the_manifest(repo, write):
    path = repo / "solutions/01_calc/README.md"
    write(path, f"# Calc\n\n{readme.TODOS_BEGIN}\n| TODO | old |\n{readme.TODOS_END}\n\nMore.\n")
    assert check_generated.differences(repo)[-1] == (
        "solutions/01_calc/README.md: its TODO table and hints do not match workshop.toml")
    generate.generate(repo)
    text = path.read_text()
    assert "| 01.1 | add two numbers | `calc.py` `add` |" in text and "- **01.2** helpers.py already knows how." in text
    assert (repo / "steps/01_calc/README.md").read_text() == text, "steps/ gets the README as generated"
    assert check_generated.differences(repo) == []

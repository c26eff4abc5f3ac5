"""The generator: solution regions become TODO stubs, PROMPT scaffold is uncommented, bad markers stop it."""
import stat
import time

import pytest

from workshop import generate, manifest
from workshop.__main__ import main as cli
from workshop.manifest import Step, Todo

STEP = Step(1, "01_calc", "Calc", (), (Todo("01.1", 'add "two" numbers', "h"), Todo("01.2", "double a number", "h")))
OTHERS = {"02.1": Todo("02.1", "say hello", "h")}


def starter(text, only=None):
    return generate.convert(text, STEP, "calc.py", only, OTHERS)[0]


def test_a_region_becomes_a_raise_at_the_markers_indentation():
    text = (
        "class Calc:\n"
        "    def add(self, a, b):\n"
        "        total = 0\n"
        "        # BEGIN SOLUTION 01.1\n"
        "        total = a + b\n"
        "        # END SOLUTION\n"
        "        return total\n"
    )
    assert starter(text) == (
        "class Calc:\n"
        "    def add(self, a, b):\n"
        "        total = 0\n"
        '        raise NotImplementedError("TODO 01.1: add \\"two\\" numbers")\n'
        "        return total\n"
    )


def test_the_stub_is_valid_python_even_when_the_label_has_quotes():
    namespace = {}
    exec(starter("def add(a, b):\n    # BEGIN SOLUTION 01.1\n    return a + b\n    # END SOLUTION\n"), namespace)
    with pytest.raises(NotImplementedError, match='TODO 01.1: add "two" numbers'):
        namespace["add"](1, 2)


def test_prompt_lines_are_uncommented_in_the_starter_and_their_markers_removed():
    text = (
        "def add(a, b):\n"
        "    # BEGIN PROMPT\n"
        "    # for value in (a, b):\n"
        "    #     print(value)\n"
        "\n"
        "    #\n"
        "    # END PROMPT\n"
        "    # BEGIN SOLUTION 01.1\n"
        "    return a + b\n"
        "    # END SOLUTION\n"
    )
    assert starter(text) == (
        "def add(a, b):\n"
        "    for value in (a, b):\n"
        "        print(value)\n"
        "\n"
        "\n"
        '    raise NotImplementedError("TODO 01.1: add \\"two\\" numbers")\n'
    )


def test_only_the_chosen_region_is_stubbed_and_the_rest_stays_the_solution():
    text = (
        "def add(a, b):\n    # BEGIN SOLUTION 01.1\n    return a + b\n    # END SOLUTION\n"
        "def double(x):\n    # BEGIN SOLUTION 01.2\n    return 2 * x\n    # END SOLUTION\n"
    )
    made = starter(text, only={"01.2"})
    assert "return a + b" in made and "return 2 * x" not in made
    assert 'raise NotImplementedError("TODO 01.2: double a number")' in made


def test_windows_line_endings_are_kept():
    made = starter("def add(a, b):\r\n    # BEGIN SOLUTION 01.1\r\n    return a + b\r\n    # END SOLUTION\r\n")
    assert made == 'def add(a, b):\r\n    raise NotImplementedError("TODO 01.1: add \\"two\\" numbers")\r\n'


@pytest.mark.parametrize(
    "text, message",
    [
        ("x = 1\n# BEGIN SOLUTION 01.1\n# BEGIN SOLUTION 01.2\n# END SOLUTION\n# END SOLUTION\n",
         "calc.py:3: `# BEGIN SOLUTION` inside the SOLUTION region opened at line 2: markers do not nest"),
        ("# BEGIN SOLUTION 01.1\n# BEGIN PROMPT\n# END PROMPT\n# END SOLUTION\n",
         "calc.py:2: `# BEGIN PROMPT` inside the SOLUTION region opened at line 1"),
        ("# BEGIN PROMPT\n# BEGIN SOLUTION 01.1\n# END SOLUTION\n# END PROMPT\n",
         "calc.py:2: `# BEGIN SOLUTION` inside the PROMPT region opened at line 1"),
        ("def add(a, b):\n    # BEGIN SOLUTION 01.1\n    return a + b\n",
         "calc.py:2: `# BEGIN SOLUTION 01.1` is never closed: add `# END SOLUTION`"),
        ("x = 1\n# END SOLUTION\n", "calc.py:2: `# END SOLUTION` closes no open region"),
        ("# BEGIN PROMPT\n# x = 1\n# END SOLUTION\n",
         "calc.py:3: `# END SOLUTION` closes the PROMPT region opened at line 1"),
        ("def add(a, b):\n    # BEGIN SOLUTION\n    return a + b\n    # END SOLUTION\n",
         "calc.py:2: `# BEGIN SOLUTION` needs the TODO id it solves"),
        ("# BEGIN SOLUTION 01.9\n# END SOLUTION\n", "calc.py:1: TODO 01.9 is not in workshop.toml"),
        ("# BEGIN SOLUTION 02.1\n# END SOLUTION\n", "calc.py:1: TODO 02.1 belongs to another step, not 01_calc"),
        ("# BEGIN PROMPT\nx = 1\n# END PROMPT\n",
         "calc.py:2: a line inside `# BEGIN PROMPT` ... `# END PROMPT` must be commented"),
    ],
    ids=["nested solution", "prompt in solution", "solution in prompt", "unclosed", "end without begin",
         "mismatched end", "unlabelled", "unknown id", "id of another step", "uncommented prompt"],
)
def test_bad_markers_stop_the_generator_naming_file_and_line(text, message):
    with pytest.raises(generate.MarkerError) as error:
        starter(text)
    assert message in str(error.value)


def test_non_python_files_are_copied_byte_for_byte(repo, write):
    png = bytes(range(256))
    write(repo / "solutions/01_calc/notes.md", "# BEGIN SOLUTION 01.1\nnot a marker outside Python\n")
    (repo / "solutions/01_calc/map.png").write_bytes(png)
    write(repo / "solutions/01_calc/.chalice/config.json", '{"app_name": "calc"}\n')
    made = generate.starter_files(generate.manifest.step(1, repo))
    assert made["notes.md"] == b"# BEGIN SOLUTION 01.1\nnot a marker outside Python\n"
    assert made["map.png"] == png
    assert made[".chalice/config.json"] == b'{"app_name": "calc"}\n'


def test_caches_builds_and_local_deployments_are_not_copied(repo, write):
    for junk in ("__pycache__/calc.cpython-311.pyc", "old.pyc", ".chalice/deployments/x.json", ".chalice/venv/a",
                 "build/out.txt"):
        write(repo / "solutions/01_calc" / junk, "junk")
    assert sorted(generate.starter_files(generate.manifest.step(1, repo))) == ["README.md", "calc.py", "helpers.py"]


@pytest.mark.parametrize(
    "change, message",
    [
        (("    # BEGIN SOLUTION 01.2\n    return twice(x)\n    # END SOLUTION\n", "    return twice(x)\n"),
         "TODO 01.2 (double a number) is in workshop.toml but no `# BEGIN SOLUTION 01.2` region solves it"),
        (("    # BEGIN SOLUTION 01.2\n", "    # BEGIN SOLUTION 01.1\n"),
         "solutions/01_calc/calc.py:12: TODO 01.1 already has a region at solutions/01_calc/calc.py:6"),
    ],
    ids=["todo without region", "region twice"],
)
def test_the_manifest_and_the_regions_must_match(repo, edit, change, message):
    edit(repo / "solutions/01_calc/calc.py", *change)
    with pytest.raises(generate.MarkerError) as error:
        generate.generate(repo)
    assert message in str(error.value)


def test_a_todo_listed_twice_in_the_manifest_is_an_error(repo, edit):
    edit(repo / "workshop.toml", 'id = "01.2"', 'id = "01.1"')
    with pytest.raises(generate.MarkerError, match="TODO 01.1 is listed twice under step 1"):
        generate.generate(repo)


def test_generating_twice_gives_the_same_bytes_and_removes_stale_files(repo, write):
    write(repo / "steps/01_calc/stale.py", "x = 1\n")
    write(repo / "steps/09_old/a.py", "x = 1\n")
    generate.generate(repo)
    first = {path: path.read_bytes() for path in sorted((repo / "steps").rglob("*")) if path.is_file()}
    generate.generate(repo)
    second = {path: path.read_bytes() for path in sorted((repo / "steps").rglob("*")) if path.is_file()}
    assert first == second
    assert not (repo / "steps/01_calc/stale.py").exists() and not (repo / "steps/09_old").exists()


def test_the_executable_bit_follows_the_solution(repo, write):
    script = write(repo / "solutions/01_calc/run.sh", "#!/bin/sh\n")
    script.chmod(0o755)
    generate.generate(repo)
    assert (repo / "steps/01_calc/run.sh").stat().st_mode & stat.S_IXUSR


def test_bad_markers_leave_steps_untouched_and_the_command_names_the_line(repo, edit, capsys):
    before = (repo / "steps/01_calc/calc.py").read_bytes()
    edit(repo / "solutions/01_calc/calc.py", "    # END SOLUTION\n\n\ndef double", "\n\ndef double")
    assert cli(["--root", str(repo), "generate"]) == 1
    assert "solutions/01_calc/calc.py:11: `# BEGIN SOLUTION` inside the SOLUTION region opened at line 6" in (
        capsys.readouterr().err
    )
    assert (repo / "steps/01_calc/calc.py").read_bytes() == before


def test_generation_is_fast(repo, write):
    for number in range(200):
        write(repo / f"solutions/01_calc/more/m{number}.py", CODE_WITHOUT_MARKERS)
    started = time.perf_counter()
    generate.generate(repo)
    assert time.perf_counter() - started < 2


CODE_WITHOUT_MARKERS = "def f(x):\n    return x\n" * 50


def test_a_wrong_variant_replaces_only_its_region_at_the_markers_indentation():
    text = (
        "class Calc:\n"
        "    def add(self, a, b):\n"
        "        # BEGIN SOLUTION 01.1\n"
        "        return a + b\n"
        "        # END SOLUTION\n"
        "\n"
        "    def double(self, x):\n"
        "        # BEGIN SOLUTION 01.2\n"
        "        return 2 * x\n"
        "        # END SOLUTION\n"
    )
    variant = "total = 0\nfor value in (a, b):\n\n    total -= value\nreturn total\n"
    made, regions = generate.convert(text, STEP, "calc.py", set(), OTHERS, {"01.1": variant})
    assert made == (
        "class Calc:\n"
        "    def add(self, a, b):\n"
        "        total = 0\n"
        "        for value in (a, b):\n"
        "\n"
        "            total -= value\n"
        "        return total\n"
        "\n"
        "    def double(self, x):\n"
        "        # BEGIN SOLUTION 01.2\n"
        "        return 2 * x\n"
        "        # END SOLUTION\n"
    )
    assert [(region.id, region.where, region.code) for region in regions] == [
        ("01.1", "calc.py:3", "return a + b\n"), ("01.2", "calc.py:8", "return 2 * x\n")]


def test_variant_files_are_the_solution_with_one_region_replaced(repo):
    step = manifest.step(1, repo)
    made = generate.variant_files(step, "01.2", "return x + x + 1")
    assert made["helpers.py"] == (repo / "solutions/01_calc/helpers.py").read_bytes()
    calc = made["calc.py"].decode()
    assert "    return a + b\n" in calc and "    return x + x + 1\n" in calc
    assert "twice(x)" not in calc.split("def double")[1]

"""Every Makefile recipe that takes a value you type (PHOTO=..., FROM=..., MODEL=...) passes it to its command as
one argument, exactly as typed: backquotes, $(...), quotes and spaces in it are text, never run, and a value that
starts with a dash is never taken for an option."""
import subprocess

import pytest

from workshop.paths import ROOT

# -o: the venv and the Lambda wheels are there (this test runs in that venv); never install from a test.
MAKE = ["make", "-s", "-C", str(ROOT), "-o", ".venv/.installed", "-o", "build/lambda-wheels/.fetched"]

# (goals and the values they need, the variable under test, how the command receives it)
RECIPES = [
    (["ask"], "PHOTO", "-- {}"),
    (["ask", "PHOTO=p.jpg"], "MODEL", "--model={}"),
    (["demo", "MODEL=locationnet"], "PHOTO", "--photo={}"),
    (["demo"], "MODEL", "--model={}"),
    (["locationnet"], "FROM", "--from={}"),
    (["locationnet"], "LOCATIONNET", "--out={}"),
    (["locationnet"], "PHOTOS", "--photos={}"),
    (["evaluate"], "MODEL", "--model={}"),
    (["evaluate"], "DATA", "--data={}"),
    (["data", "TREE=solutions"], "SOURCE", "--source={}"),
    (["data", "TREE=solutions"], "METADATA", "--metadata={}"),
    (["train", "TREE=solutions"], "DATA", "--data={}"),
    (["serve", "TREE=solutions"], "MODEL", "--model-dir={}"),
    (["serve", "TREE=solutions"], "PORT", "--port={}"),
    (["deploy", "MODEL_DATA=s3://b/m.tar.gz"], "ROLE", "--role={}"),
    (["deploy", "ROLE=arn:aws:iam::1:role/r", "UPLOAD=s3://b/p"], "MODEL", "--model-dir={}"),
    (["doctor"], "BUCKET", "--bucket={}"),
    (["test-step", "1"], "TARGET", "--tree={}"),
]
VALUES = [
    "`touch {marker}`.jpg",
    "$(touch {marker}).jpg",
    "$(shell touch {marker}).jpg",
    "it's a \"photo\" $HOME.jpg",
    "-x.jpg",
]


@pytest.fixture(scope="module")
def printer(tmp_path_factory):
    """A stand-in for .venv/bin/python that prints the arguments it was given: one command a line, each argument
    followed by a NUL."""
    path = tmp_path_factory.mktemp("printer") / "argv.sh"
    path.write_text("printf '%s\\0' \"$@\"; echo\n")
    return f"sh {path}"


@pytest.mark.parametrize("value", VALUES, ids=["backquotes", "$(...)", "make's $(shell ...)", "quotes, $HOME",
                                               "a leading dash"])
@pytest.mark.parametrize("goals, variable, received", RECIPES,
                         ids=[f"{' '.join(goals[:1])} {variable}" for goals, variable, _ in RECIPES])
def test_a_typed_value_is_one_argument_never_a_command(printer, tmp_path, goals, variable, received, value):
    marker = tmp_path / "ran"
    typed = value.format(marker=marker)
    result = subprocess.run(MAKE + goals + [f"{variable}={typed}", f"PY={printer}"], capture_output=True, text=True,
                            timeout=60)
    assert not marker.exists(), f"make {goals[0]} {variable}=... ran the command inside the value"
    arguments = [line.split("\0")[:-1] for line in result.stdout.splitlines() if "\0" in line]
    expected = received.format(typed).split(" ", 1) if received.startswith("-- ") else [received.format(typed)]
    assert any(expected == found[i:i + len(expected)] for found in arguments for i in range(len(found))), (
        f"make {' '.join(goals)} {variable}=... must pass {expected}; it ran {arguments}\n{result.stderr}")


@pytest.mark.parametrize("value", VALUES[:4], ids=["backquotes", "$(...)", "make's $(shell ...)", "quotes, $HOME"])
def test_a_tree_that_is_no_folder_is_named_as_typed(printer, tmp_path, value):
    marker = tmp_path / "ran"
    typed = value.format(marker=marker)
    result = subprocess.run(MAKE + ["data", f"TREE={typed}", f"PY={printer}"], capture_output=True, text=True,
                            timeout=60)
    assert not marker.exists() and result.returncode == 2
    assert result.stderr.startswith(f"TREE={typed} is no folder"), result.stderr

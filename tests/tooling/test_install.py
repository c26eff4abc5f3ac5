"""When pip fails in `make setup`, the sentence after its error tells a missing wheel from a missing network."""
import inspect
import socket
import tomllib

import pytest

from workshop import install
from workshop.paths import ROOT


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the socket is closed


CASES = [
    # (what pip is given besides --isolated --dry-run, how the sentence after its error begins, what else it says).
    # Without the network pip says "No matching distribution" too, after its "Retrying ... NewConnectionError"
    # warnings.
    (lambda tmp: ["--index-url", f"http://127.0.0.1:{closed_port()}/simple", "--retries", "1", "whereml-x==1.0"],
     "pip could not reach the package index", "check the network"),
    (lambda tmp: ["--no-index", "--find-links", str(tmp), "whereml-x==1.0"],
     "whereml-x==1.0 has no wheel for this machine's platform and Python", "dev container or Codespaces"),
    (lambda tmp: ["--no-index", "--find-links", str(tmp), "whereml-x=>1.0"],
     "Installing the pinned packages failed (pip's error is above)", "run `make setup` again"),
]


@pytest.mark.parametrize("pip_arguments, sentence, also", CASES, ids=["no network", "no wheel", "another error"])
def test_a_failed_install_ends_with_the_sentence_that_fits_what_pip_said(tmp_path, capsys, pip_arguments, sentence,
                                                                        also):
    assert install.main(["--isolated", "--dry-run"] + pip_arguments(tmp_path)) == 1
    errors = capsys.readouterr().err
    last = errors.strip().splitlines()[-1]
    assert last.startswith(sentence), f"after pip's own error ({errors[:300]!r}), the last line should say {sentence!r}"
    assert also in last
    assert "network" not in last or sentence.startswith("pip could not reach"), "only a network failure blames it"


def test_setup_installs_the_package_in_editable_mode():
    """`make setup` gives `python -m workshop` from any folder: pip installs this checkout too (pyproject.toml)."""
    default = inspect.signature(install.main).parameters["pins"].default
    assert default[-2:] == ["-e", "."], "workshop/install.py must `pip install -e .` after the pins"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["workshop*"]

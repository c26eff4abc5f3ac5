"""The dev container asks for what the workshop needs (its build is checked by `make check-devcontainer`)."""
import json
import os
import re

from workshop.paths import ROOT

FOLDER = ROOT / ".devcontainer"


def config():
    """devcontainer.json is JSON with comments: drop the comment lines."""
    text = (FOLDER / "devcontainer.json").read_text()
    return json.loads("\n".join(line for line in text.splitlines() if not line.strip().startswith("//")))


def test_it_is_always_amd64_where_mxnet_has_a_wheel():
    dockerfile = (FOLDER / "Dockerfile").read_text()
    assert re.search(r"^ARG BASE_IMAGE=\S*bookworm", dockerfile, re.M), "the base is an ARG, Debian bookworm"
    assert "FROM --platform=linux/amd64 ${BASE_IMAGE}" in dockerfile
    assert "--platform=linux/amd64" in config()["build"]["options"] and "--platform=linux/amd64" in config()["runArgs"]


def test_it_asks_for_the_machine_the_demo_needs_and_forwards_make_serve():
    settings = config()
    assert settings["hostRequirements"] == {"cpus": 2, "memory": "8gb"}
    assert 8080 in settings["forwardPorts"]


def test_codespaces_prebuilds_run_the_setup_before_anyone_opens_it():
    settings = config()
    assert settings["updateContentCommand"] == "make setup"
    script = ROOT / settings["onCreateCommand"]
    assert script.is_file() and os.access(script, os.X_OK), f"{script} must exist and be executable"
    assert "make .venv/.installed" in (FOLDER / "Dockerfile").read_text(), "the image installs the pins"

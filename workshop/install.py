"""Run by `make setup` with the new .venv's Python: pip installs the pinned packages and, in editable mode, this
repository's package (workshop/, the one command line); when that fails, one sentence
says which of the two usual causes it was (no wheel for this machine, or no package index) and what to do."""
import re
import subprocess
import sys

PINS = ["-r", "requirements.txt", "-c", "constraints.txt"]
PACKAGE = ["-e", "."]  # the host side, workshop/ (pyproject.toml): `python -m workshop` from any folder

# What pip prints when it cannot reach the package index; its "No matching distribution" follows these too.
UNREACHABLE = ("NewConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ProxyError", "SSLError",
               "Could not fetch URL", "connection broken by")
NO_WHEEL = re.compile(r"No matching distribution found for (\S+)")


def index_unreachable(pip_errors):
    """True when pip's messages show that it could not reach the package index."""
    return any(sign in pip_errors for sign in UNREACHABLE)


def advice(pip_errors):
    """The sentence that follows pip's own error: why the install failed and what to do."""
    if index_unreachable(pip_errors):
        return ("pip could not reach the package index (above): check the network (or the proxy, or pip's "
                "index-url), then run `make setup` again.")
    missing = NO_WHEEL.search(pip_errors)
    if missing:
        return ("%s has no wheel for this machine's platform and Python (pip found the index, but no file it can "
                "install here): use the dev container or Codespaces (README.md, \"Before the stream\"); "
                "`.venv/bin/python -m workshop check-platforms` lists the wheels of every pin." % missing.group(1))
    return "Installing the pinned packages failed (pip's error is above); fix that, then run `make setup` again."


def main(pins=PINS + PACKAGE):
    command = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check"] + pins
    pip = subprocess.Popen(command, stderr=subprocess.PIPE, universal_newlines=True)
    errors = []
    for line in pip.stderr:
        sys.stderr.write(line)
        errors.append(line)
    if pip.wait() == 0:
        return 0
    sys.stderr.write(advice("".join(errors)) + "\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())

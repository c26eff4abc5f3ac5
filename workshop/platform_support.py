"""Run by `make setup` before anything is installed: stop with one paragraph on a machine MXNet 1.9.1 cannot run on.

Kept to syntax every Python 3 can parse, like python_version.py, so the paragraph appears instead of a SyntaxError.
"""
import platform
import subprocess
import sys

# (sys.platform, machine) of Linux x86_64 and Intel Macs, where the pins install and run (`python -m workshop
# check-platforms` checks that each pin has a wheel for them). Everything else gets WAYS_IN.
SUPPORTED = {("linux", "x86_64"), ("darwin", "x86_64")}

WHY = (
    "This machine is %s: the workshop trains with MXNet 1.9.1, which has no wheel for macOS on Apple Silicon or for "
    "Windows, and whose Linux aarch64 wheel needs Arm Performance Libraries it does not ship, so it runs only on "
    "x86_64 Linux and Intel Macs. "
)
WAYS_IN = (
    "Three ways in: (1) the dev container: install Docker Desktop and VS Code's Dev Containers "
    "extension, open this folder and click \"Reopen in Container\" (or run `devcontainer up --workspace-folder .`); "
    "it is an amd64 Linux that Docker Desktop emulates on Apple Silicon; (2) GitHub Codespaces: on the repository's "
    "GitHub page click Code > Codespaces > Create codespace (or run `gh codespace create`); "
    "(3) on Windows, WSL2: run `wsl --install -d Ubuntu` in PowerShell, then clone the repository inside Ubuntu and "
    "run `make demo` there. See README.md, \"Before the stream\".\n"
)


def under_rosetta():
    """True for an x86_64 Python on an Apple Silicon Mac (Rosetta 2): MXNet's Intel build is not known to run there."""
    try:
        answer = subprocess.run(["sysctl", "-in", "sysctl.proc_translated"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True).stdout
    except OSError:
        return False
    return answer.strip() == "1"


def describe(system, machine):
    """A name a person knows for this machine, e.g. "macOS arm64 (Apple Silicon)"."""
    if system == "darwin":
        if machine == "arm64":
            return "macOS arm64 (Apple Silicon)"
        return "macOS %s under Rosetta (an Apple Silicon Mac)" % machine
    if system.startswith(("win", "cygwin", "msys")):
        return "Windows (%s, outside WSL)" % machine
    return "%s %s" % (system.capitalize(), machine)


def main():
    system, machine = sys.platform, platform.machine().lower()
    machine = {"amd64": "x86_64"}.get(machine, machine)  # Windows says AMD64
    if (system, machine) in SUPPORTED and not (system == "darwin" and under_rosetta()):
        return 0
    sys.stderr.write(WHY % describe(system, machine) + WAYS_IN)
    return 1


if __name__ == "__main__":
    sys.exit(main())

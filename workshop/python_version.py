"""Run by `make setup` with the Python it is about to use: stop with one sentence if the pins cannot install on it.

Kept to syntax every Python 3 can parse, so the sentence appears instead of a SyntaxError.
"""
import sys

SUPPORTED = (3, 11)


def main():
    found = "%d.%d" % sys.version_info[:2]
    if tuple(sys.version_info[:2]) == SUPPORTED:
        return 0
    sys.stderr.write(
        "%s is Python %s, but the workshop's pinned packages (mxnet 1.9.1 with numpy 1.23.5, pillow 13, networkx 3.6) "
        "install only on Python 3.11: install it (e.g. `uv python install 3.11` or `pyenv install 3.11`), delete any "
        ".venv, and run `make setup PYTHON3=/path/to/python3.11`.\n" % (sys.executable, found)
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())

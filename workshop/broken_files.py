"""A step file that does not import: named with its file and line, before any test is blamed for it.

A syntax error stops every test that loads the file, and the first of them would send the participant to its TODO.
`make test-step` and `make watch-step` compile the step's files first (milliseconds) and, for an error that only
importing shows (an ImportError, a NameError at module level), the `todo` plugin marks the failing test's report
with a `Does not import:` line, which they read back.
"""
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from workshop import files
from workshop.paths import shown

MARK = "Does not import: "  # the line the `todo` plugin adds to a test's report: "<file>:<line>: <Type>: <message>"
MARKED = re.compile(rf"^{MARK}(?P<file>.+?):(?P<line>\d+): (?P<message>.*)$", re.M)
# An f-string's opening quote; on Python 3.11 the string ends at the next such quote, even inside its braces.
F_STRING = re.compile(r"(?<![\w])(?:[rR]?[fF]|[fF][rR])(?P<quote>'''|\"\"\"|'|\")")
PY312 = ("This f-string is valid only from Python 3.12 on (a backslash, or the f-string's own quote, inside its "
         "{braces}); the workshop runs Python 3.11, and SageMaker's containers 3.8: compute the value before the "
         "f-string, or use the other kind of quote inside the braces.")


@dataclass
class Broken:
    """A file that does not import: where, and Python's message (the error, the line it points at)."""

    path: str  # as shown: relative to the repository when it is inside it
    line: int
    error: str  # "SyntaxError: invalid syntax"
    source: str = ""  # the offending line, stripped
    py312: bool = False

    def describe(self, step_number=None):
        """What test-step and watch-step print: the file and line, Python's message in two lines, what to do."""
        lines = [f"{self.path}, line {self.line}, does not import:", f"    {self.error}"]
        lines.append(f"    {self.source}" if self.source else "    (Python shows no line for it)")
        if self.py312:
            lines.append(PY312)
        step = f" of step {step_number}" if step_number else ""
        lines.append(f"Fix that first: no test{step} can run this file's code until it imports."
                     if self.error.startswith("SyntaxError")
                     else f"Fix that first: every test{step} that loads this file fails the same way.")
        return "\n".join(lines)


def is_py312_f_string(error):
    """True when a SyntaxError is an f-string form that Python 3.12 accepts and 3.11 does not."""
    if sys.version_info >= (3, 12):
        return False
    if "f-string" in str(error.msg) and "backslash" in str(error.msg):
        return True
    for found in F_STRING.finditer(error.text or ""):
        inside = (error.text or "")[found.end():].split(found["quote"], 1)[0]
        if inside.replace("{{", "").count("{") > inside.replace("}}", "").count("}"):
            return True  # the string ended inside its braces: the same quote was used in there
    return False


def syntax_error(folder, root):
    """The first file of the step folder (in file order) that Python cannot compile, or None."""
    folder = Path(folder)
    for relative in files.listing(folder):
        if not relative.endswith(".py"):
            continue
        path = folder / relative
        try:
            compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
        except SyntaxError as error:
            return Broken(shown(path, root), error.lineno or 1, f"{type(error).__name__}: {error.msg}",
                          (error.text or "").strip(), is_py312_f_string(error))
        except ValueError as error:  # a NUL byte in the source
            return Broken(shown(path, root), 1, f"SyntaxError: {error}")
    return None


def at_import(excinfo, tree):
    """(file, line, "<Type>: <message>") when the exception `excinfo` came from importing a file under `tree`:
    raised by a module's top-level code, or a SyntaxError in such a file. None otherwise."""
    error, tree = excinfo.value, Path(tree).resolve()
    if isinstance(error, SyntaxError) and error.filename and Path(error.filename).resolve().is_relative_to(tree):
        return error.filename, error.lineno or 1, f"{type(error).__name__}: {error.msg}"
    innermost = None
    for frame, line in traceback.walk_tb(excinfo.tb):
        if Path(frame.f_code.co_filename).resolve().is_relative_to(tree):
            innermost = (frame, line)
    if innermost is None:
        return None
    frame, line = innermost
    if frame.f_code.co_name != "<module>" or frame.f_globals.get("__name__") == "__main__":
        return None  # raised by a function, or by a script run as __main__: the tests' business
    message = str(error).strip().splitlines()
    return frame.f_code.co_filename, line, f"{type(error).__name__}: {message[0] if message else ''}"


def mark(excinfo, tree):
    """The `Does not import:` line for a test report, or None."""
    found = at_import(excinfo, tree)
    return f"{MARK}{found[0]}:{found[1]}: {found[2]}" if found else None


def from_output(output, root):
    """The first file a test run's output marks as not importing, or None."""
    found = MARKED.search(output)
    if not found:
        return None
    path, line = found["file"], int(found["line"])
    try:
        source = Path(path).read_text(errors="replace").splitlines()[line - 1].strip()
    except (OSError, IndexError):
        source = ""
    return Broken(shown(path, root), line, found["message"], source)

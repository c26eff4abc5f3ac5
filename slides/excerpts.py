"""Code excerpts for the slides, cut from the repository's own files at build time.

`solutions/04_bot/chalicelib/reply.py#flag_emoji` is a top-level function, class or assignment (`Class.method` for
a method), `...#SOLUTION 04.4` the body of that TODO region, and a path alone the whole file. The solution markers
are left out of what the audience sees; the lines of a TODO region inside a larger excerpt are marked to highlight.
"""
import ast
import textwrap
from dataclasses import dataclass

from workshop.generate import MARKER


def marker(line):
    """(edge, kind, TODO id) of a solution or prompt marker line, as the generator reads it, else None."""
    found = MARKER.match(line)
    return (found["edge"], found["kind"], found["rest"].strip()) if found else None


class ExcerptError(Exception):
    """A reference that does not name existing code."""


@dataclass(frozen=True)
class Excerpt:
    path: str
    selector: str
    code: str
    highlighted: tuple  # 1-based line numbers inside `code` that a participant writes (a TODO region)
    todos: tuple  # the TODO ids the excerpt shows


def cut(root, reference):
    """The excerpt that `reference` ("path#selector") names in the files under `root`."""
    path, _, selector = reference.strip().partition("#")
    file = root / path
    if not file.is_file():
        raise ExcerptError(f"{path} does not exist")
    lines = file.read_text(encoding="utf-8").splitlines()
    selector = selector.strip()
    if selector.startswith("SOLUTION "):
        todo = selector.split(None, 1)[1]
        return _shown(path, selector, _region(lines, todo, path), whole_region=todo)
    if selector:
        return _shown(path, selector, _symbol(lines, selector, path))
    return _shown(path, selector, lines)


def _region(lines, todo, path):
    for start, line in enumerate(lines):
        if marker(line) == ("BEGIN", "SOLUTION", todo):
            for end in range(start + 1, len(lines)):
                if (marker(lines[end]) or ())[:2] == ("END", "SOLUTION"):
                    return lines[start : end + 1]
            raise ExcerptError(f"{path}: `# BEGIN SOLUTION {todo}` has no `# END SOLUTION`")
    raise ExcerptError(f"{path} has no `# BEGIN SOLUTION {todo}` region")


def _symbol(lines, name, path):
    if not path.endswith(".py"):
        raise ExcerptError(f"{path} is not Python, so #{name} cannot name a symbol in it: drop the #{name}")
    try:
        body = ast.parse("\n".join(lines), filename=path).body
    except SyntaxError as error:
        raise ExcerptError(f"{path} is not Python, so #{name} cannot name a symbol in it ({error.msg})") from None
    node = None
    for part in name.split("."):
        node = next((child for child in body if part in _names(child)), None)
        if node is None:
            raise ExcerptError(f"{path} has no top-level function, class or assignment named {name!r}")
        body = getattr(node, "body", [])
    first = min([node.lineno] + [decorator.lineno for decorator in getattr(node, "decorator_list", [])])
    return lines[first - 1 : node.end_lineno]


def _names(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {target.id for target in node.targets if isinstance(target, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def _shown(path, selector, lines, whole_region=None):
    """Drop the markers and the starter-only scaffold; remember which kept lines belong to a TODO region."""
    kept, todos = [], [whole_region] if whole_region else []
    in_region = in_prompt = False
    for line in lines:
        edge, kind, todo = marker(line) or (None, None, None)
        if kind == "PROMPT":
            in_prompt = edge == "BEGIN"
        elif kind == "SOLUTION":
            in_region = edge == "BEGIN"
            if in_region and todo not in todos:
                todos.append(todo)
        elif not in_prompt:
            kept.append((line, in_region and not whole_region))
    while kept and not kept[0][0].strip():
        kept.pop(0)
    while kept and not kept[-1][0].strip():
        kept.pop()
    code = textwrap.dedent("\n".join(line for line, _ in kept))
    highlighted = tuple(number for number, (_, marked) in enumerate(kept, 1) if marked)
    return Excerpt(path, selector, code, highlighted, tuple(todos))

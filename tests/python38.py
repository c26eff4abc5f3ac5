"""Code that runs in SageMaker's MXNet 1.9 containers must run on their Python 3.8: vermin finds what needs more."""
import ast

import vermin


def assert_runs_on_python_3_8(sources, container):
    """Fail naming the file, line and feature of each 3.9+ need in `sources` ({"pack.py": its text, ...})."""
    config = vermin.Config()
    config.add_target("3.8-")
    config.set_eval_annotations(True)  # Python 3.8 evaluates `def f(x: list[int])` when it defines f
    config.set_only_show_violations(True)
    config.set_format(vermin.formats.ParsableFormat())  # one line a need: file:line:column:py2:py3:feature
    problems = []
    for name, source in sorted(sources.items()):
        visitor = vermin.visit(source, config, name)
        if not isinstance(visitor, vermin.SourceVisitor):  # vermin could not parse it
            problems.append(f"{name} does not parse as Python this old: the {container} runs 3.8")
            continue
        for line in visitor.output_text().splitlines():
            path, number, _, _, version, feature = line.split(":", 5)
            if feature:
                problems.append(f"{path} line {number}: {feature} needs Python {version}: the {container} runs 3.8")
        # vermin sees str.removeprefix only on a value it knows is a str; the name alone is enough here.
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Attribute) and node.attr in ("removeprefix", "removesuffix"):
                problems.append(f"{name} line {node.lineno}: str.{node.attr} needs Python 3.9: "
                                f"the {container} runs 3.8")
    assert not problems, "\n".join(problems)

"""slides/excerpts.py: a reference cuts exactly the code it names, without the solution markers."""
import re
import textwrap

import pytest

from workshop import loader
from workshop.paths import ROOT

excerpts = loader.load(ROOT / "slides", "excerpts")

SOURCE = textwrap.dedent(
    '''
    import math

    RADIUS_KM = 6371.0


    def untouched():
        return 1


    @staticmethod
    def distance_km(a, b):
        """Great-circle distance."""
        # BEGIN PROMPT
        # lat = ...
        # END PROMPT
        # BEGIN SOLUTION 02.3
        lat = math.radians(b[0] - a[0])
        return RADIUS_KM * lat
        # END SOLUTION


    class Reply:
        def text(self):
            # BEGIN SOLUTION 04.2
            return "hello"
            # END SOLUTION
    '''
)


@pytest.fixture
def root(tmp_path):
    (tmp_path / "code.py").write_text(SOURCE)
    (tmp_path / "open.py").write_text("def broken():\n    # BEGIN SOLUTION 01.1\n    return 1\n")
    return tmp_path


def test_a_function_comes_with_its_decorators_and_marks_the_todo_lines(root):
    excerpt = excerpts.cut(root, "code.py#distance_km")
    assert excerpt.code.splitlines() == [
        "@staticmethod",
        "def distance_km(a, b):",
        '    """Great-circle distance."""',
        "    lat = math.radians(b[0] - a[0])",
        "    return RADIUS_KM * lat",
    ]
    assert excerpt.highlighted == (4, 5)
    assert excerpt.todos == ("02.3",)


def test_a_region_is_its_body_dedented(root):
    excerpt = excerpts.cut(root, "code.py#SOLUTION 04.2")
    assert excerpt.code == 'return "hello"'
    assert excerpt.highlighted == ()
    assert excerpt.todos == ("04.2",)


def test_a_method_and_a_constant_are_found_by_name(root):
    assert excerpts.cut(root, "code.py#Reply.text").code.startswith("def text(self):")
    assert excerpts.cut(root, "code.py#RADIUS_KM").code == "RADIUS_KM = 6371.0"


def test_a_path_alone_is_the_whole_file(root):
    excerpt = excerpts.cut(root, "code.py")
    assert excerpt.code.startswith("import math") and "BEGIN" not in excerpt.code and "# lat = ..." not in excerpt.code
    assert excerpt.todos == ("02.3", "04.2")


@pytest.mark.parametrize(
    "reference, problem",
    [
        ("missing.py#f", "missing.py does not exist"),
        ("code.py#nothing", "code.py has no top-level function, class or assignment named 'nothing'"),
        ("code.py#Reply.nothing", "named 'Reply.nothing'"),
        ("code.py#SOLUTION 09.9", "code.py has no `# BEGIN SOLUTION 09.9` region"),
        ("open.py#SOLUTION 01.1", "`# BEGIN SOLUTION 01.1` has no `# END SOLUTION`"),
    ],
)
def test_a_reference_to_missing_code_says_what_is_missing(root, reference, problem):
    with pytest.raises(excerpts.ExcerptError, match=re.escape(problem)):
        excerpts.cut(root, reference)


@pytest.mark.parametrize("line", ["    # BEGIN SOLUTION 01.1", "    #BEGIN SOLUTION 01.1", "\t#  BEGIN SOLUTION 01.1  "])
def test_the_markers_are_read_as_the_generator_reads_them(line):
    from workshop.generate import MARKER

    assert excerpts.marker(line) == ("BEGIN", "SOLUTION", "01.1") and MARKER.match(line)

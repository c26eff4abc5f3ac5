"""`make setup` refuses a Python the pinned packages cannot install on, in one sentence."""
import sys

import pytest

from workshop import python_version


@pytest.mark.parametrize("version", [(3, 8, 18), (3, 10, 13), (3, 12, 1), (3, 13, 0)])
def test_another_python_is_refused_saying_what_to_install(monkeypatch, capsys, version):
    monkeypatch.setattr(sys, "version_info", version)
    assert python_version.main() == 1
    message = capsys.readouterr().err
    assert f"is Python {version[0]}.{version[1]}, but" in message and "install only on Python 3.11" in message
    assert message.count("\n") == 1


def test_python_3_11_is_accepted(monkeypatch):
    monkeypatch.setattr(sys, "version_info", (3, 11, 7))
    assert python_version.main() == 0

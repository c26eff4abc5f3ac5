"""--out values that would lose something are refused before any photo is read, with one sentence."""
import os

import pytest


def symlink_to_folder(tmp):
    (tmp / "real").mkdir()
    (tmp / "data").symlink_to(tmp / "real")
    return "data"


def dangling_symlink(tmp):
    (tmp / "data").symlink_to(tmp / "gone")
    return "data"


def dataset_with_other_files(tmp):
    (tmp / "data").mkdir()
    (tmp / "data" / "dataset.json").write_text("{}")
    (tmp / "data" / "thesis.tex").write_text("precious")
    return "data"


BAD_OUT = [  # (what was given as --out, how to make it in the working folder, what the message must say)
    ("a symbolic link to a folder", symlink_to_folder, "symbolic link"),
    ("a dangling symbolic link", dangling_symlink, "symbolic link"),
    (".", lambda tmp: ".", "the folder you are in"),
    ("..", lambda tmp: "..", "the folder you are in"),
    ("a folder holding a dataset.json and other files", dataset_with_other_files, "thesis.tex"),
]


@pytest.mark.parametrize("row", BAD_OUT, ids=[row[0] for row in BAD_OUT])
def test_a_bad_out_is_refused_before_any_work(prepare, tmp_path, monkeypatch, sample_flags, row):
    what, make, message = row
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("precious")
    monkeypatch.chdir(work)
    out = make(work)
    before = sorted(os.listdir(tmp_path)), sorted(os.listdir(work))

    def work_started(*args):
        raise AssertionError(f"--out {what}: refuse it before reading any photo, not after")

    monkeypatch.setattr(prepare, "collect", work_started)
    with pytest.raises(SystemExit) as refused:
        prepare.main(sample_flags + ["--out", out, "--workers", "1"])
    assert message in str(refused.value.code), f"--out {what}: the message should say {message!r}"
    assert (sorted(os.listdir(tmp_path)), sorted(os.listdir(work))) == before, "nothing is written or deleted"
    assert (work / "notes.txt").read_text() == "precious"

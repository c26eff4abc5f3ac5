"""The world changes under a run: a photo deleted or cut short after it was read is skipped and counted, and a
full disk ends the run with one sentence, --out as it was."""
import errno
import json

import pytest

FLAGS = ["--workers", "1", "--t-min", "1", "--image-size", "32", "--val-fraction", "0.3"]


def photo_folder(photo_writer, folder, count=6):
    for number in range(count):
        photo_writer(folder / f"p{number}.jpg", 48.85 + number / 1000, 2.35 + number / 1000)
    return folder


def lose(path, how):
    if how == "deleted":
        path.unlink()
    else:  # truncated: a copy still being written, or a disk error
        path.write_bytes(path.read_bytes()[:300])


@pytest.mark.parametrize("step", ["check", "drop_copies"], ids=["after the reading pass", "after the copies check"])
@pytest.mark.parametrize("how", ["deleted", "truncated"])
def test_a_photo_lost_after_it_was_read_is_skipped_and_counted(prepare, photo_writer, tmp_path, monkeypatch,
                                                               step, how):
    folder = photo_folder(photo_writer, tmp_path / "photos")
    real = getattr(prepare.photos, step)

    def then_a_photo_is_lost(*args, **kwargs):
        result = real(*args, **kwargs)
        lose(folder / "p3.jpg", how)
        return result

    monkeypatch.setattr(prepare.photos, step, then_a_photo_is_lost)
    out = tmp_path / "data"
    prepare.main(["--source", f"photos:{folder}", "--out", str(out)] + FLAGS)
    about = json.loads((out / "dataset.json").read_text())
    gone = {reason: n for reason, n in about["skipped"].items() if "after it was read" in reason}
    assert list(gone.values()) == [1] and about["train"] + about["val"] == 5, (
        f"a photo {how} after it was read is skipped and counted, the others packed: {about['skipped']}"
    )
    (row,) = [line.split("\t") for line in (out / "photos.tsv").read_text().splitlines() if line.startswith("p3.jpg")]
    assert row[3:] == ["-1", "excluded", "deleted or damaged after it was read"], f"photos.tsv says {row}"


def full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


WRITES = {  # where the disk fills up: the write call the run makes there
    "packing train.rec": ("mxnet.recordio", "MXIndexedRecordIO", "write_idx"),
    "drawing cells.png": ("PIL.Image", "Image", "save"),
}


@pytest.mark.parametrize("where", WRITES.values(), ids=WRITES.keys())
def test_a_full_disk_is_one_sentence_and_out_is_left_as_it_was(prepare, photo_writer, tmp_path, monkeypatch,
                                                               capsys, where):
    folder = photo_folder(photo_writer, tmp_path / "photos")
    out = tmp_path / "data"
    prepare.main(["--source", f"photos:{folder}", "--out", str(out)] + FLAGS)
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    module, owner, method = where
    monkeypatch.setattr(getattr(__import__(module, fromlist=[owner]), owner), method, full_disk)
    with pytest.raises(SystemExit) as stop:
        prepare.main(["--source", f"photos:{folder}", "--out", str(out), "--seed", "1"] + FLAGS)
    message = str(stop.value.code)
    assert "disk is full" in message and "Traceback" not in message and message.count("\n") == 0, (
        f"a full disk is one sentence, not {message!r}"
    )
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before, "--out is left as it was"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["data", "photos"], "no temporary folder is left"


@pytest.mark.parametrize("photos", [1, 40], ids=["the disk is full at the end", "the disk fills up while packing"])
def test_a_full_disk_while_packing_is_an_oserror_enospc(load, photo_writer, tmp_path, photos):
    pack = load("01_data", "pack")
    paths = [photo_writer(tmp_path / f"p{n}.jpg", 48.85, 2.35 + n / 100, size=(400, 300), colour=(n * 6, 90, 90))
             for n in range(photos)]
    (tmp_path / "train.rec").symlink_to("/dev/full")  # every write to it fails with ENOSPC, as on a full disk
    with pytest.raises(OSError) as error:
        pack.write_records(tmp_path / "train", [(str(path), [0, 48.85, 2.35]) for path in paths], 256, 1)
    assert error.value.errno == errno.ENOSPC, (
        f"MXNet's writer says {error.value}: make it the OSError (ENOSPC) that prepare.py turns into one sentence"
    )

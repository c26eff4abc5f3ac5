"""`make ask`'s input, checked before it is trusted: a photo is read capped (its size checked before a byte is read),
and a model folder whose tables do not have one row per class is one sentence, never a traceback."""
import os
import shutil
import threading

import pytest

from real_photo_model import PHOTO


def ask(photo, model, tmp_path):
    """`python -m workshop ask` in this process: None when it answers, else the sentence it exits with."""
    from workshop import ask as command

    try:
        command.main(["--model", str(model), "--tree", "solutions", "--out", str(tmp_path / "out"), "--", str(photo)])
    except SystemExit as stopped:
        return str(stopped.code)
    return None


def gigabyte_jpeg(tmp_path):
    """A 1 GB file named .jpg (sparse: it takes no disk), a photo's header first."""
    path = tmp_path / "huge.jpg"
    with open(path, "wb") as file:
        file.write(PHOTO.read_bytes())
        file.truncate(1 << 30)
    return path


def long_pipe(tmp_path):
    """A named pipe called photo.jpg that a writer fills with 256 MB (far past the bot's limit)."""
    path = tmp_path / "photo.jpg"
    os.mkfifo(path)

    def fill():
        try:
            with open(path, "wb") as pipe:
                for _ in range(256):
                    pipe.write(b"\xff" * (1 << 20))
        except OSError:
            pass  # the reader closed it

    threading.Thread(target=fill, daemon=True).start()
    return path


@pytest.mark.parametrize("make_photo, words", [
    (gigabyte_jpeg, ["is 1,073.7 MB", "X takes photos up to 5 MB"]),
    (long_pipe, ["is not a file"]),
], ids=["a 1 GB file named .jpg", "a pipe of 256 MB named .jpg"])
def test_a_photo_is_never_read_beyond_the_bots_limit(locationnet_near_the_cape, tmp_path, make_photo, words):
    import tracemalloc

    photo = make_photo(tmp_path)
    result = []
    tracemalloc.start()
    worker = threading.Thread(target=lambda: result.append(ask(photo, locationnet_near_the_cape, tmp_path)),
                              daemon=True)
    worker.start()
    worker.join(60)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result, "make ask is still reading the photo after 60 s"
    assert result[0] and all(word in result[0] for word in words), result[0]
    assert peak < 64 << 20, f"make ask held {peak / 1e6:.0f} MB: it read the photo whole before refusing it"


def shortened(rows):
    def cut(folder):
        lines = (folder / "cells.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
        (folder / "cells.tsv").write_text("".join(lines[: rows + 1]), encoding="utf-8")
    return cut


def out_of_order(folder):
    lines = (folder / "cells.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    (folder / "cells.tsv").write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize("damage, words", [
    (shortened(100), ["cells.tsv has 100 rows", "15,527 classes"]),
    (shortened(0), ["cells.tsv has 0 rows"]),
    (out_of_order, ["cells.tsv has 0 rows in class order"]),
], ids=["cells.tsv cut to 100 rows", "cells.tsv with its header only", "cells.tsv out of class order"])
def test_a_model_folder_with_a_short_table_is_one_sentence(locationnet_near_the_cape, tmp_path, damage, words):
    model = tmp_path / "locationnet"
    shutil.copytree(locationnet_near_the_cape, model)
    damage(model)
    failure = ask(PHOTO, model, tmp_path)
    assert failure and all(word in failure for word in words) and "make locationnet" in failure, failure

"""`python -m workshop locationnet` (`make locationnet`) against a stand-in for the public bucket on 127.0.0.1: the download,
its resumption, the checks before anything is kept, the places, and a paragraph for each way it can fail."""
import csv
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from standin_bucket import locationnet_files, standin_bucket, vendored_grids
from workshop.paths import ROOT

SYMBOL, PARAMS = "RN101-5k500-symbol.json", "RN101-5k500-0012.params"
KEPT = {SYMBOL, PARAMS, "grids.txt", "cells.tsv"}
STEP_01_COLUMNS = ["class", "token", "level", "count", "lat", "lng", "place", "admin1", "country_code"]


@pytest.fixture(scope="module")
def stand_in(good_files, moto_server):
    with standin_bucket(good_files, moto_server) as (bucket, proxy):
        yield bucket, proxy


@pytest.fixture
def bucket(stand_in, good_files):
    """The stand-in bucket holding the good files again, its proxy cutting and damaging nothing."""
    bucket, proxy = stand_in
    for name, body in good_files.items():
        bucket.put(name, body)
    proxy.cut.clear(), proxy.damage.clear(), proxy.ranges.clear()
    return bucket


@pytest.fixture
def proxy(stand_in, bucket):
    return stand_in[1]


def test_the_files_are_downloaded_checked_and_kept_with_their_places(bucket, get, tmp_path, good_files, capsys):
    assert get(bucket.url) is None
    out = tmp_path / "locationnet"
    assert {path.name for path in out.iterdir()} == KEPT
    assert all((out / name).read_bytes() == body for name, body in good_files.items())
    assert not (tmp_path / "locationnet.partial").exists(), "the staging folder becomes build/locationnet"
    assert "sum to 1.000000" in capsys.readouterr().out


def test_every_cell_gets_its_place_in_step_01s_format(bucket, get, tmp_path):
    get(bucket.url)
    with open(tmp_path / "locationnet" / "cells.tsv", newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file, delimiter="\t")
        rows = list(reader)
    assert reader.fieldnames == STEP_01_COLUMNS
    grids = vendored_grids()
    assert [row["token"] for row in rows] == [token for token, _, _ in grids], "row i is class i of grids.txt"
    assert [int(row["class"]) for row in rows] == list(range(15527))
    austin = rows[0]  # grids.txt's first line: 8644b594, 30.28, -97.73 (named after a place in Austin)
    assert (austin["admin1"], austin["country_code"], austin["level"]) == ("Texas", "US", "13")
    assert austin["place"] and float(austin["lat"]) == pytest.approx(30.2835162512)
    assert sum(bool(row["country_code"]) for row in rows) > 15000, "nearly every cell is in a country"


def test_the_server_sees_the_model_use_the_places(bucket, get, host, tmp_path):
    get(bucket.url)
    out = tmp_path / "locationnet"
    text = (out / "cells.tsv").read_text(encoding="utf-8")
    (out / "cells.tsv").write_text(text.replace("\tTexas\t", "\tTexas (from cells.tsv)\t", 1), encoding="utf-8")
    locator = host("inference").model_fn(str(out))
    assert locator.cells[0]["admin1"] == "Texas (from cells.tsv)", "model_fn reads cells.tsv, it does not rename"
    assert len(locator.cells) == 15527 and locator.cells[0]["country_code"] == "US"


def test_a_second_run_with_good_files_downloads_nothing(bucket, get, offline_url, tmp_path, capsys):
    assert get(bucket.url) is None
    assert get(offline_url) is None, "a second run must not need the network"
    assert "nothing to download" in capsys.readouterr().out


def test_a_cut_download_resumes_where_it_stopped(bucket, proxy, get, tmp_path, good_files):
    proxy.cut[PARAMS] = 100_000
    failure = get(proxy.url)
    assert failure and "stopped after" in failure and "run `make locationnet` again" in failure
    assert f"of {len(good_files[PARAMS]) / 1e6:.1f} MB" in failure, "how much of how much arrived"
    assert not (tmp_path / "locationnet").exists(), "nothing half-downloaded where serve.py loads the model"
    arrived = (tmp_path / "locationnet.partial" / (PARAMS + ".part")).stat().st_size
    assert 0 < arrived <= 100_000, "what arrived before the cut is kept"
    assert get(proxy.url) is None
    assert (PARAMS, f"bytes={arrived}-") in proxy.ranges, "the second run asks for the rest only"
    assert (tmp_path / "locationnet" / PARAMS).read_bytes() == good_files[PARAMS]


def test_ctrl_c_keeps_what_arrived_and_the_next_run_goes_on(bucket, proxy, tmp_path, good_files):
    proxy.stall[PARAMS] = 200_000
    part = tmp_path / "locationnet.partial" / (PARAMS + ".part")
    command = [sys.executable, "-m", "workshop", "locationnet", "--out", str(tmp_path / "locationnet")]
    process = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ, LOCATIONNET_URL=proxy.url), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (part.exists() and part.stat().st_size) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1 and "interrupted" in stderr and "goes on from there" in stderr, stderr
    assert "Traceback" not in stderr
    arrived = part.stat().st_size
    assert 0 < arrived <= 200_000 and not (tmp_path / "locationnet").exists()
    rerun = subprocess.run(command, cwd=ROOT, env=dict(os.environ, LOCATIONNET_URL=proxy.url), capture_output=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert (PARAMS, f"bytes={arrived}-") in proxy.ranges
    assert (tmp_path / "locationnet" / PARAMS).read_bytes() == good_files[PARAMS]


def test_a_file_changed_on_the_server_since_the_download_began(bucket, proxy, get, tmp_path, capsys):
    proxy.cut[PARAMS] = 100_000
    get(proxy.url)
    replaced = locationnet_files(tmp_path / "another")
    bucket.put(PARAMS, replaced[PARAMS])
    assert get(proxy.url) is None, "the part of the old file is dropped and the new one downloaded whole, in one run"
    assert "changed on the server" in capsys.readouterr().out
    assert (tmp_path / "locationnet" / PARAMS).read_bytes() == replaced[PARAMS]


def test_a_damaged_download_is_thrown_away(bucket, proxy, get, tmp_path):
    proxy.damage.add(PARAMS)
    failure = get(proxy.url)
    assert failure and "corrupt" in failure and "MD5" in failure
    assert not (tmp_path / "locationnet").exists()
    assert not list((tmp_path / "locationnet.partial").glob(PARAMS + "*")), "no damaged part is kept"


def truncated(files, folder):
    return {PARAMS: files[PARAMS][: len(files[PARAMS]) // 2]}


def wrong_class_count(files, folder):
    return locationnet_files(folder, classes=4)


def not_json(files, folder):
    return {SYMBOL: b"<html>Sign in to continue</html>"}


def another_network(files, folder):
    return {PARAMS: locationnet_files(folder, classes=100)[PARAMS]}


def with_values(name, where, value):
    """Params whose array `name` holds `value` at `where` (all of it: slice(None))."""

    def make(files, folder):
        import mxnet as mx

        folder.mkdir()
        (folder / PARAMS).write_bytes(files[PARAMS])
        saved = mx.nd.load(str(folder / PARAMS))
        array = saved[name].asnumpy()
        array[where] = value
        saved[name] = mx.nd.array(array)
        mx.nd.save(str(folder / PARAMS), saved)
        return {PARAMS: (folder / PARAMS).read_bytes()}

    return make


@pytest.mark.parametrize(
    "make_bad, words",
    [
        (truncated, ["RN101-5k500-0012.params does not load", "truncated"]),
        (wrong_class_count, ["has 4 classes", "15,527 lines"]),
        (not_json, ["is not LocationNet's symbol"]),
        (another_network, ["does not fit", "2 of the wrong shape", "(15527,)"]),
        (with_values("arg:fc1_weight", slice(None), np.nan), ["not finite", "arg:fc1_weight"]),
        # A forward pass hides these two (ReLU turns a NaN into 0; a class that can never win still sums to 1).
        (with_values("arg:conv0_weight", (0, 0, 0, 0), np.nan), ["not finite", "arg:conv0_weight"]),
        (with_values("arg:fc1_bias", 7, -np.inf), ["not finite", "arg:fc1_bias"]),
    ],
    ids=["truncated params", "a symbol with the wrong class count", "a symbol that is no symbol",
         "params of another network", "params that are not numbers", "one NaN in the first convolution",
         "an fc1 bias of -inf"],
)
def test_files_that_fail_a_check_are_never_kept(bucket, get, tmp_path, good_files, make_bad, words):
    for name, body in make_bad(good_files, tmp_path / "bad").items():
        bucket.put(name, body)
    failure = get(bucket.url)
    assert failure and all(word in failure for word in words), failure
    assert "FROM=" in failure, "the paragraph says what to do: get the files elsewhere"
    assert not (tmp_path / "locationnet").exists() and not (tmp_path / "locationnet.partial").exists()


@pytest.mark.parametrize(
    "break_it, words",
    [
        (lambda bucket: bucket.delete(PARAMS), ["HTTP 404", "LOCATIONNET_URL", "FROM="]),
        (lambda bucket: bucket.put(PARAMS, b"private", public=False), ["HTTP 403", "no longer public", "FROM="]),
    ],
    ids=["404: not in the bucket", "403: not public"],
)
def test_the_bucket_refusing_says_what_to_do(bucket, get, tmp_path, break_it, words):
    break_it(bucket)
    failure = get(bucket.url)
    assert failure and all(word in failure for word in words), failure
    assert not (tmp_path / "locationnet").exists()


def test_offline_says_what_to_do(get, offline_url, tmp_path):
    failure = get(offline_url)
    assert failure and "could not reach" in failure and "network" in failure and "FROM=" in failure
    assert not (tmp_path / "locationnet").exists()


@pytest.mark.parametrize("where", ["usb-stick", "locationnet.partial"],
                         ids=["a folder of yours", "the staging folder itself (FROM=build/locationnet.partial)"])
def test_files_from_elsewhere_need_no_network(get, offline_url, tmp_path, good_files, where):
    folder = tmp_path / where
    folder.mkdir()
    for name, body in good_files.items():
        (folder / name).write_bytes(body)
    assert get(offline_url, "--from", str(folder)) is None
    assert {path.name for path in (tmp_path / "locationnet").iterdir()} == KEPT


def test_from_a_folder_without_the_files_says_which_is_missing(get, offline_url, tmp_path):
    (tmp_path / "empty").mkdir()
    failure = get(offline_url, "--from", str(tmp_path / "empty"))
    assert failure and "has no RN101-5k500-symbol.json" in failure


def test_a_failed_run_leaves_the_good_model_in_place(bucket, get, host, tmp_path, good_files):
    assert get(bucket.url) is None
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / SYMBOL).write_bytes(good_files[SYMBOL])
    (tmp_path / "bad" / PARAMS).write_bytes(good_files[PARAMS][:1000])
    assert "does not load" in get(bucket.url, "--from", str(tmp_path / "bad"))
    assert (tmp_path / "locationnet" / PARAMS).read_bytes() == good_files[PARAMS]
    assert host("inference").model_fn(str(tmp_path / "locationnet")).model_name.startswith("LocationNet")

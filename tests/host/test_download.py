"""workshop/download.py through `make locationnet`, against hostile mirrors and hostile disks: a resume is proven
before it is joined, nothing is read without a cap or waited for without a deadline, staging files are only ever
ones the download made, one run at a time, no password printed, and every failure is a paragraph."""
import hashlib
import os
import shutil
import subprocess
import sys
import threading

import hostile_mirror as mirrors
import pytest

from workshop import download, locationnet
from workshop.paths import ROOT

SYMBOL, PARAMS = "RN101-5k500-symbol.json", "RN101-5k500-0012.params"
MULTIPART = '"3858f62230ac3c915f300c664312c11f-2"'  # an S3 multipart ETag: no MD5 to check the bytes against


@pytest.fixture
def mirror(good_files):
    """A mirror holding the good files; the params with a multipart ETag (so only a proven resume keeps them whole)."""
    served = mirrors.Mirror(good_files, {SYMBOL: f'"{hashlib.md5(good_files[SYMBOL]).hexdigest()}"',
                                         PARAMS: MULTIPART})
    yield served
    served.stop()


def within(seconds, run, *arguments):
    """What run(*arguments) returns, failing the test when it is still going after `seconds`."""
    result, raised = [], []

    def call():
        try:
            result.append(run(*arguments))
        except BaseException as error:
            raised.append(error)

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(seconds)
    if raised:
        raise raised[0]
    assert result, f"still running after {seconds} s: a wait without a deadline, or a read without a cap"
    return result[0]


def installed(tmp_path):
    return (tmp_path / "locationnet" / PARAMS).read_bytes()


def cut_first(mirror):
    """The first run's params download is cut after 100,000 bytes: a part is left to resume."""
    mirror.plan[PARAMS] = [mirrors.cut_at(100_000)]


def changed_between_runs(etag_before, etag_after):
    def change(mirror, files):
        mirror.etags[PARAMS] = etag_before
        mirror.plan[PARAMS] = [mirrors.cut_at(100_000)]
        return lambda: (mirror.files.update({PARAMS: files[PARAMS]}), mirror.etags.update({PARAMS: etag_after}),
                        mirror.always.update({PARAMS: mirrors.ignoring_if_range}))
    return change


def then(behaviour):
    def plan(mirror, files):
        cut_first(mirror)
        return lambda: mirror.always.update({PARAMS: behaviour})
    return plan


@pytest.mark.parametrize("plan", [
    then(mirrors.from_the_start_to_a_resume),
    then(mirrors.shifted_resume),
    then(mirrors.refusing_ranges),
    changed_between_runs(None, None),
    changed_between_runs('W/"v1"', 'W/"v2"'),
    changed_between_runs(None, '"v2"'),
], ids=["a 206 whose Content-Range starts at 0", "a 206 that starts 1,000 bytes late", "416 to every resume",
        "no ETag, the file replaced between runs", "a weak ETag, the file replaced between runs",
        "no ETag on the part, a strong one now"])
def test_a_resume_is_joined_only_when_proven_else_it_starts_from_zero(mirror, get, tmp_path, good_files, plan):
    replaced = dict(good_files, **{PARAMS: bytes(reversed(good_files[PARAMS]))})
    second_run = plan(mirror, replaced)
    first = get(mirror.url)
    assert first and "goes on from there" in first, first
    second_run()
    served = mirror.files[PARAMS]
    failure = get(mirror.url)
    if served == good_files[PARAMS]:
        assert failure is None, failure
        assert installed(tmp_path) == good_files[PARAMS], "the params are the file, not a splice"
    else:  # the reversed params are no network: a splice could pass as one, a download from zero never does
        assert failure and "does not" in failure or "not finite" in failure or "sum to" in failure, failure
        partial = tmp_path / "locationnet.partial"
        assert not (tmp_path / "locationnet").exists() and not partial.exists()
        last = [headers for name, headers in mirror.requests if name == PARAMS][-1]
        assert "range" not in last, "the part of the old file was not resumed with the new file's bytes"


def test_a_mirror_that_never_resumes_costs_one_download_not_every_later_run(mirror, get, tmp_path, good_files):
    cut_first(mirror)
    mirror.always[PARAMS] = mirrors.refusing_ranges
    get(mirror.url)
    assert get(mirror.url) is None and installed(tmp_path) == good_files[PARAMS]


@pytest.mark.parametrize("behaviour, words", [
    (mirrors.part_to_a_plain_get, ["HTTP 206", "part of it"]),
    (mirrors.gzip_always, ["gzip-encoded", "Accept-Encoding: identity"]),
], ids=["a 206 to a plain GET", "gzip whatever was asked"])
def test_a_mirror_that_cannot_be_downloaded_from_is_a_paragraph(mirror, get, tmp_path, behaviour, words):
    mirror.always[PARAMS] = behaviour
    failure = get(mirror.url)
    assert failure and all(word in failure for word in words), failure
    assert not (tmp_path / "locationnet").exists()


def test_the_file_is_asked_for_as_it_is_not_compressed(mirror, get, tmp_path, good_files):
    mirror.always[PARAMS] = mirrors.gzip_when_allowed
    assert get(mirror.url) is None and installed(tmp_path) == good_files[PARAMS]
    assert all(headers.get("accept-encoding") == "identity" for _, headers in mirror.requests)


def test_a_body_without_content_length_ends_where_it_ends(mirror, get, tmp_path, good_files):
    def no_length(answer, body, etag):
        answer.head(200, {"ETag": etag, "Connection": "close"})
        answer.close_connection = True
        answer.wfile.write(body)

    mirror.always[PARAMS] = no_length
    assert get(mirror.url) is None and installed(tmp_path) == good_files[PARAMS]


def test_a_body_that_never_ends_is_cut_at_the_cap(mirror, get, tmp_path, monkeypatch):
    monkeypatch.setitem(locationnet.MAX_BYTES, PARAMS, 4 << 20)
    mirror.always[PARAMS] = mirrors.never_ending
    failure = within(60, get, mirror.url)
    assert failure and "more than the 4.2 MB" in failure and "thrown away" in failure, failure
    assert not list((tmp_path / "locationnet.partial").glob(PARAMS + "*")), "nothing of it is kept"


def test_a_trickling_body_meets_the_speed_floor_and_keeps_what_arrived(mirror, get, tmp_path, monkeypatch):
    monkeypatch.setattr(download, "SPEED_FLOOR_SECONDS", 1)
    monkeypatch.setattr(download, "SPEED_FLOOR_BYTES", 1000)
    mirror.always[PARAMS] = mirrors.trickling
    failure = within(60, get, mirror.url)
    assert failure and "too slow" in failure and "goes on from there" in failure, failure
    assert (tmp_path / "locationnet.partial" / (PARAMS + ".part")).stat().st_size > 0


# ------------------------------------------------------------------------------------------------- what is on disk


def link_to_a_file_of_yours(part, victim):
    part.symlink_to(victim)


def folder_at_the_part(part, victim):
    (part / "inside").mkdir(parents=True)


@pytest.mark.parametrize("plant, words", [
    (link_to_a_file_of_yours, ["is a link", "never followed"]),
    (folder_at_the_part, ["is a folder", "rm -r"]),
], ids=["a link planted as the .part", "a folder where the .part goes"])
def test_a_staging_file_is_never_one_the_download_did_not_make(mirror, get, tmp_path, plant, words):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    staging = tmp_path / "locationnet.partial"
    staging.mkdir()
    plant(staging / (PARAMS + ".part"), victim)
    failure = get(mirror.url)
    assert failure and all(word in failure for word in words), failure
    assert victim.read_bytes() == b"keep me", "the file behind the link is untouched"


@pytest.mark.parametrize("plant, words", [
    (lambda path: path.write_text("not a folder"), ["is a file", "staging folder"]),
    (lambda path: path.symlink_to(path.parent / "elsewhere"), ["is a link", "staging folder"]),
], ids=["a file where build/locationnet.partial goes", "a link there"])
def test_something_planted_where_the_staging_folder_goes_is_a_paragraph(mirror, get, tmp_path, plant, words):
    (tmp_path / "elsewhere").mkdir()
    plant(tmp_path / "locationnet.partial")
    failure = get(mirror.url)
    assert failure and all(word in failure for word in words), failure
    assert not list((tmp_path / "elsewhere").iterdir()), "nothing was written through the link"


def test_two_runs_at_once_the_second_says_another_is_going(mirror, tmp_path):
    mirror.always[PARAMS] = mirrors.trickling
    command = [sys.executable, "-m", "workshop", "locationnet", "--out", str(tmp_path / "locationnet")]
    environment = dict(os.environ, LOCATIONNET_URL=mirror.url)
    first = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        part = tmp_path / "locationnet.partial" / (PARAMS + ".part")
        for _ in range(600):
            if part.exists() or first.poll() is not None:
                break
            threading.Event().wait(0.05)
        second = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)
    finally:
        first.kill()
        first.communicate()
    assert second.returncode == 1 and "another `make locationnet` is running" in second.stderr, second.stderr
    assert "Traceback" not in second.stderr


def test_a_password_in_locationnet_url_is_never_printed(mirror, get):
    del mirror.files[SYMBOL]
    secret_url = mirror.url.replace("http://", "http://host:s3cret-pass@")
    failure = get(secret_url)
    assert failure and "HTTP 404" in failure and "s3cret-pass" not in failure, failure
    assert "127.0.0.1" in failure, "the URL is still shown, without its password"


def test_locationnet_url_without_its_trailing_slash(mirror, get, tmp_path, good_files):
    assert get(mirror.url.rstrip("/")) is None and installed(tmp_path) == good_files[PARAMS]


def test_a_full_disk_is_one_paragraph_and_keeps_what_arrived(mirror, tmp_path):
    if not shutil.which("unshare"):
        pytest.skip("needs unshare(1) for a small tmpfs")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (f"mount -t tmpfs -o size=300k none {disk} && cd {ROOT} && "
              f"{sys.executable} -m workshop locationnet --out {disk}/locationnet")
    result = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                            env=dict(os.environ, LOCATIONNET_URL=mirror.url), capture_output=True, text=True,
                            timeout=120)
    if "mount" in result.stderr and "disk is full" not in result.stderr:
        pytest.skip(f"no user namespaces here to mount a small tmpfs: {result.stderr.strip()}")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "the disk is full" in result.stderr and "are kept in" in result.stderr, result.stderr


def test_an_installed_folder_with_a_table_cut_short_is_not_taken_as_checked(mirror, get, tmp_path, capsys):
    assert get(mirror.url) is None
    cells = tmp_path / "locationnet" / "cells.tsv"
    cells.write_text("".join(cells.read_text(encoding="utf-8").splitlines(keepends=True)[:101]), encoding="utf-8")
    capsys.readouterr()
    assert get(mirror.url) is None
    printed = capsys.readouterr().out
    assert "nothing to download" not in printed and "fails a check" in printed and "has 100 rows" in printed
    assert len(cells.read_text(encoding="utf-8").splitlines()) == 15528, "the whole table is back"

"""workshop/testset.py: the MediaEval 2016 test list read line by line, its photos fetched by hash from a stand-in bucket
(moto's S3 server on 127.0.0.1), resumed after a cut connection, cached, and what is missing counted."""
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import mediaeval_stand_in as stand_in
from shutdown_poll import POLL


@pytest.fixture(scope="module")
def testset():
    from workshop import testset

    return testset


@pytest.fixture
def buckets(monkeypatch, moto_server):
    with stand_in.buckets(monkeypatch, moto_server) as s3:
        yield s3


def test_the_list_is_beside_the_models_folder_that_locationnet_url_names(testset, monkeypatch):
    monkeypatch.delenv("LOCATIONNET_URL", raising=False)
    assert testset.list_url() == "https://s3.amazonaws.com/mmcommons-tutorial/" + stand_in.LIST_KEY
    monkeypatch.setenv("LOCATIONNET_URL", "http://127.0.0.1:9/mirror/models")
    assert testset.list_url() == "http://127.0.0.1:9/mirror/" + stand_in.LIST_KEY


def test_every_line_is_checked_and_bad_ones_are_counted_by_reason(testset, tmp_path):
    (tmp_path / "list").write_text(stand_in.list_text())
    listed = testset.read_list(tmp_path / "list")
    expected = [(h, lat, lng) for h, lat, lng in stand_in.PHOTOS]
    assert [(p.hash, p.lat, p.lng) for p in listed.photos] == expected, "field 2 is the longitude, field 3 the latitude"
    assert listed.bad == {
        testset.TOO_FEW_FIELDS: 1, testset.NOT_A_POSITION: 2, testset.NOT_A_HASH: 1, testset.REPEATED: 1
    }


def test_the_first_photos_are_fetched_by_hash_and_a_missing_one_is_counted(testset, buckets, tmp_path):
    listed, fetched = testset.first_photos(tmp_path, 6)
    assert len(listed.photos) == 6 and sum(listed.bad.values()) == 5
    assert [photo.hash for _, photo in fetched.photos] == [h for h, _, _ in stand_in.PHOTOS[:5]]
    assert fetched.missing == [stand_in.MISSING] and fetched.unreadable == []
    assert all(path == tmp_path / "photos" / f"{photo.hash}.jpg" for path, photo in fetched.photos)
    on_disk = sorted(path.name for path in (tmp_path / "photos").iterdir())
    assert on_disk == sorted(f"{h}.jpg" for h, _, _ in stand_in.PHOTOS[:5])


def test_only_the_first_n_photos_are_fetched(testset, buckets, tmp_path):
    _, fetched = testset.first_photos(tmp_path, 2)
    assert [photo.hash for _, photo in fetched.photos] == [h for h, _, _ in stand_in.PHOTOS[:2]]
    assert len(list((tmp_path / "photos").iterdir())) == 2


def test_a_second_run_uses_what_the_first_fetched(testset, buckets, tmp_path):
    testset.first_photos(tmp_path, 3)
    buckets.delete_object(Bucket=stand_in.TUTORIAL, Key=stand_in.LIST_KEY)
    first = stand_in.PHOTOS[0][0]
    buckets.delete_object(Bucket=stand_in.COMMONS, Key=f"data/images/{first[:3]}/{first[3:6]}/{first}.jpg")
    listed, fetched = testset.first_photos(tmp_path, 5)
    assert len(listed.photos) == 6, "the list on disk is read again, not fetched"
    assert len(fetched.photos) == 5, "photos already on disk are kept; the others are fetched"


def test_a_photo_fetched_but_not_yet_renamed_is_kept(testset, buckets, tmp_path):
    first = stand_in.PHOTOS[0][0]
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "1.jpg").write_bytes(stand_in.photo_jpeg(0))  # line 1: a run stopped before renaming it
    buckets.delete_object(Bucket=stand_in.COMMONS, Key=f"data/images/{first[:3]}/{first[3:6]}/{first}.jpg")
    _, fetched = testset.first_photos(tmp_path, 1)
    assert [path.name for path, _ in fetched.photos] == [f"{first}.jpg"] and fetched.missing == []


def test_a_photo_that_is_no_jpeg_is_counted_unreadable(testset, buckets, tmp_path):
    second = stand_in.PHOTOS[1][0]
    buckets.put_object(Bucket=stand_in.COMMONS, Key=f"data/images/{second[:3]}/{second[3:6]}/{second}.jpg",
                       Body=b"<html>Not Found</html>", ACL="public-read")
    _, fetched = testset.first_photos(tmp_path, 3)
    assert fetched.unreadable == [second] and len(fetched.photos) == 2


class CutOnce(BaseHTTPRequestHandler):
    """Serves BODY with a strong ETag, honouring `Range: bytes=N-` with `If-Range`; the first answer stops halfway,
    as a dropped connection does."""

    BODY = stand_in.list_text().encode() * 50
    ETAG = '"list-1"'
    requests = []

    def do_GET(self):
        self.requests.append(self.headers.get("Range"))
        ranged = self.headers.get("Range") and self.headers.get("If-Range") == self.ETAG
        start = int(self.headers["Range"][6:-1]) if ranged else 0
        self.send_response(206 if start else 200)
        self.send_header("ETag", self.ETAG)
        self.send_header("Content-Length", str(len(self.BODY) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(self.BODY) - 1}/{len(self.BODY)}")
        self.end_headers()
        if len(self.requests) == 1:
            self.wfile.write(self.BODY[: len(self.BODY) // 2])
            self.close_connection = True
            return
        self.wfile.write(self.BODY[start:])

    def log_message(self, *args):
        pass


@pytest.fixture
def cutting_server():
    CutOnce.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), CutOnce)
    threading.Thread(target=server.serve_forever, kwargs=POLL, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_cut_download_is_resumed_where_it_stopped(testset, cutting_server, tmp_path):
    with pytest.raises(testset.Failed, match="goes on from there"):
        testset.fetch_list(tmp_path, cutting_server)
    assert not (tmp_path / testset.LIST_NAME).exists(), "a partial list must never be left under its own name"
    kept = (tmp_path / (testset.LIST_NAME + ".part")).stat().st_size
    assert kept > 0
    path = testset.fetch_list(tmp_path, cutting_server)
    assert CutOnce.requests == [None, f"bytes={kept}-"], "the second run asks only for what is missing"
    assert path.read_bytes() == CutOnce.BODY


def test_a_list_that_is_not_there_says_what_to_do(testset, buckets, tmp_path):
    elsewhere = os.environ["LOCATIONNET_URL"] + "elsewhere/"
    with pytest.raises(testset.Failed, match="HTTP 404.*LOCATIONNET_URL"):
        testset.fetch_list(tmp_path, elsewhere)
    assert not list(tmp_path.iterdir()), "nothing is left behind"


def test_the_command_prints_what_it_read_and_fetched(testset, buckets, tmp_path, capsys):
    testset.main(["--photos", "6", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "11 lines: 6 usable, 5 not" in out
    assert "5 of its first 6 photos" in out and "1 missing on S3" in out and "0 unreadable" in out


class Hostile(BaseHTTPRequestHandler):
    """The list served by a mirror that does as `how` says: "endless" (no Content-Length, no end), "splicing" (the
    first answer cut halfway; then the list replaced, and Ranges served from the new one whatever If-Range says)."""

    how = "endless"
    BODY, NEW_BODY = CutOnce.BODY, CutOnce.BODY.replace(b"@N00", b"@N99")
    requests = []

    def do_GET(self):
        self.requests.append(self.headers.get("Range"))
        if self.how == "endless":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                while not self.server.closing:
                    self.wfile.write(self.BODY)
            except OSError:
                pass
            return
        body, etag = (self.BODY, '"v1"') if len(self.requests) == 1 else (self.NEW_BODY, '"v2"')
        start = int(self.headers["Range"][6:-1]) if self.headers.get("Range") else 0
        self.send_response(206 if start else 200)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.end_headers()
        self.wfile.write(body[start:] if len(self.requests) > 1 else body[: len(body) // 2])
        self.close_connection = len(self.requests) == 1

    def log_message(self, *args):
        pass


@pytest.fixture
def hostile_server(request):
    Hostile.how, Hostile.requests = request.param, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.closing = False
    threading.Thread(target=server.serve_forever, kwargs=POLL, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.closing = True
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("hostile_server", ["endless"], indirect=True)
def test_a_list_that_never_ends_is_cut_at_the_cap(testset, hostile_server, tmp_path, monkeypatch):
    monkeypatch.setattr(testset, "MAX_LIST_BYTES", 2 << 20)
    found = []
    worker = threading.Thread(target=lambda: found.append(pytest.raises(testset.Failed, testset.fetch_list,
                                                                        tmp_path, hostile_server)), daemon=True)
    worker.start()
    worker.join(60)
    assert found, "the list is still downloading after 60 s: it has no cap"
    assert "more than the 2.1 MB" in str(found[0].value)
    assert not list(tmp_path.glob(testset.LIST_NAME + "*")), "nothing of it is kept"


@pytest.mark.parametrize("hostile_server", ["splicing"], indirect=True)
def test_a_list_changed_since_its_download_began_is_never_spliced(testset, hostile_server, tmp_path):
    with pytest.raises(testset.Failed):
        testset.fetch_list(tmp_path, hostile_server)
    path = testset.fetch_list(tmp_path, hostile_server)
    assert path.read_bytes() == Hostile.NEW_BODY, "the old list's first half joined to the new list's second half"

"""The bot's web page through chalice.test.Client: GET / and POST /ask answer a photo with the X path's own reply and
map, refuse what is not a photo before the endpoint sees it, cap the day's answers, and keep nothing."""
import base64
import io
import json
import re
import socket
import zlib

import pytest
from PIL import Image
from urllib3.filepost import encode_multipart_formdata

from bot_stand_ins import ENV, PREDICTIONS, aws_client
from workshop.paths import ROOT

PHOTO = ROOT / "photos" / "cape-canaveral-falcon9-dscovr.jpg"  # GPS EXIF: 28.5619, -80.5772
CAPE = (28.5619, -80.5772)
AS_JSON = {"accept": "application/json"}


def form(content, filename="IMG_0001.jpg", field="photo", mime="image/jpeg"):
    """A multipart/form-data body as a browser sends the page's form: (body, content type)."""
    return encode_multipart_formdata({field: (filename, content, mime)})


def ask(client, content=None, headers=None, body=None, content_type=None):
    if body is None:
        body, content_type = form(PHOTO.read_bytes() if content is None else content)
    return client.http.post("/ask", body=body, headers={"content-type": content_type, **(headers or {})})


def map_of(answer_html):
    found = re.search(r'src="data:image/png;base64,([^"]+)"', answer_html)
    assert found, "the answer shows the map as a PNG"
    return base64.b64decode(found.group(1))


def counted():
    items = aws_client("dynamodb").scan(TableName=ENV["TABLE_NAME"])["Items"]
    return {item["pk"]["S"]: int(item["answers"]["N"]) for item in items if item["pk"]["S"].startswith("page#")}


@pytest.fixture(scope="module")
def web_page(chalicelib):
    return chalicelib("web_page")


@pytest.fixture(autouse=True)
def new_runtime_client(web_page):
    """The page's endpoint client is made once per Lambda container: here once per test, for its environment."""
    web_page._runtime.cache_clear()
    yield
    web_page._runtime.cache_clear()


def test_the_page_is_one_form_that_says_where_the_photo_goes(client):
    answer = client.http.get("/")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/html")
    page = answer.body.decode()
    assert re.search(r'<form[^>]+action="/ask"[^>]+method="post"[^>]+enctype="multipart/form-data"', page), (
        "a plain form posts the photo without JavaScript")
    assert 'name="photo" type="file"' in page
    assert "Where your photo goes" in page and "It is not kept" in page
    assert "at most 200 photos a day" in page, "the page says the daily cap"


@pytest.mark.parametrize("path, action", [("/api/", "/api/ask"), ("/api", "/api/ask"), ("/", "/ask"),
                                          ("/api/ask", "/api/ask"), (None, "/ask")])
def test_the_form_posts_under_the_stage_the_page_was_asked_by(web_page, path, action):
    """On API Gateway the page's path starts with the stage: https://ID.execute-api.REGION.amazonaws.com/api."""
    assert web_page.form_action(path) == action


def test_a_photo_gets_the_x_paths_reply_and_map_on_a_page(client, aws, chalicelib, endpoint_server):
    answer = ask(client)
    assert answer.status_code == 200, answer.body[:500]
    page = answer.body.decode()
    reply = chalicelib("reply").reply_text(PREDICTIONS)
    assert f'<pre class="reply">{reply}</pre>' in page.replace("&#x27;", "'"), "the reply, as it would be posted"
    assert Image.open(io.BytesIO(map_of(page))).size == (1440, 720)
    assert "1. Marseille, Provence-Alpes-Cote d" in page and "km from where the photo was taken" in page
    (request,) = endpoint_server.requests
    assert request["path"] == f"/endpoints/{ENV['ENDPOINT_NAME']}/invocations", "the stage's endpoint"
    assert request["body"] == PHOTO.read_bytes() and request["headers"]["Content-Type"] == "image/jpeg"


def test_the_map_rings_where_the_photos_gps_exif_says_it_was_taken(client, aws, chalicelib, web_page):
    answer = ask(client, headers=AS_JSON)
    truth = web_page.gps.position(Image.open(PHOTO))
    assert truth == pytest.approx(CAPE, abs=1e-4)
    assert map_of(json.loads(answer.body)["html"]) == chalicelib("map_image").draw_map(PREDICTIONS, truth=truth)


def test_the_pages_script_gets_json(client, aws, chalicelib):
    answer = ask(client, headers=AS_JSON)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    body = json.loads(answer.body)
    assert body["reply"] == chalicelib("reply").reply_text(PREDICTIONS)
    assert '<section id="answer">' in body["html"] and Image.open(io.BytesIO(map_of(body["html"]))).format == "PNG"


def tiny_png(size=(8, 8)):
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, format="PNG")
    return out.getvalue()


def png_declaring(width, height):
    """A real 8 x 8 PNG whose header (with its checksum) claims width x height pixels."""
    png = bytearray(tiny_png())
    png[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    png[29:33] = zlib.crc32(png[12:29]).to_bytes(4, "big")
    return bytes(png)


def gif():
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    "upload, status, words",
    [
        (lambda: form(b"just some text, named like a photo", filename="photo.jpg"), 415, "not a JPEG or PNG photo"),
        (lambda: form(gif(), mime="image/png"), 415, "not a JPEG or PNG photo"),
        (lambda: form(b"%PDF-1.7 a document"), 415, "not a JPEG or PNG photo"),
        (lambda: form(png_declaring(100_000, 100_000), mime="image/png"), 413, "at most 50 megapixels"),
        (lambda: form(b"\xff\xd8\xff" + b"\0" * (4 * 2**20))[0:2], 413, "over 4 MB"),
        (lambda: form(b""), 400, "No photo arrived"),
        (lambda: form(PHOTO.read_bytes(), field="picture"), 400, "No photo arrived"),
        (lambda: (b"", "multipart/form-data; boundary=x"), 400, "Nothing arrived"),
        (lambda: (b"--x\r\nnot a form", "multipart/form-data; boundary=x"), 400, "No photo arrived"),
    ],
    ids=["text", "gif", "pdf", "pixel bomb", "oversize body", "empty file", "other field", "empty body", "broken"],
)
def test_what_is_not_a_photo_is_refused_before_the_endpoint_or_the_count(client, aws, endpoint_server, upload,
                                                                         status, words):
    body, content_type = upload()
    for accept in ({}, AS_JSON):
        answer = ask(client, body=body, content_type=content_type, headers=accept)
        assert answer.status_code == status, answer.body[:300]
        assert words in answer.body.decode(), f"the answer says what to do: {words!r}"
    assert endpoint_server.requests == [], "nothing that is not a photo reaches the endpoint"
    assert counted() == {}, "a refused upload does not count against the day's cap"


def test_a_photo_the_endpoint_refuses_says_so(client, aws, endpoint_server):
    endpoint_server.status, endpoint_server.headers = 424, {"x-amzn-ErrorType": "ModelError"}  # as SageMaker says it
    endpoint_server.answer = {"ErrorCode": "CLIENT_ERROR_FROM_MODEL", "OriginalStatusCode": 400,
                              "Message": "The photo is truncated or damaged: send the whole file again."}
    answer = ask(client)
    assert answer.status_code == 422 and "could not read this photo" in answer.body.decode()


def test_an_answer_outside_the_contract_is_not_shown(client, aws, endpoint_server):
    endpoint_server.answer = {"predictions": [{"lat": 200, "lng": 0, "probability": 0.5}]}
    answer = ask(client)
    assert answer.status_code == 503 and "try again in a minute" in answer.body.decode()
    assert answer.headers["Retry-After"] == "60"


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_endpoint_down_gives_a_page_that_says_try_again(client, aws, web_page, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", f"http://127.0.0.1:{closed_port()}")
    web_page._runtime.cache_clear()
    answer = ask(client)
    assert answer.status_code == 503 and "try again in a minute" in answer.body.decode()


def test_a_slow_endpoint_is_given_up_on_within_the_lambdas_time(client, aws, endpoint_server, web_page, monkeypatch):
    assert web_page.PAGE_TIMEOUTS.read_timeout + web_page.PAGE_TIMEOUTS.connect_timeout < 10, (
        "the page's Lambda stops at 10 s: the endpoint gets less")
    assert web_page.PAGE_TIMEOUTS.retries["total_max_attempts"] == 1
    monkeypatch.setattr(web_page, "PAGE_TIMEOUTS", web_page.Config(connect_timeout=1, read_timeout=1,
                                                                   retries={"total_max_attempts": 1}))
    endpoint_server.delay = 2
    answer = ask(client, headers=AS_JSON)
    assert answer.status_code == 503 and "try again in a minute" in json.loads(answer.body)["error"]


def test_no_table_to_count_in_is_a_503_and_no_endpoint_call(client, aws, endpoint_server, caplog):
    aws_client("dynamodb").delete_table(TableName=ENV["TABLE_NAME"])
    answer = ask(client)
    assert answer.status_code == 503 and "cannot take photos right now" in answer.body.decode()
    assert endpoint_server.requests == [] and "could not count" in caplog.text


def test_the_daily_cap_gives_a_429_page_then_resets_the_next_day(client, aws, endpoint_server, chalicelib,
                                                                 monkeypatch):
    daily_cap = chalicelib("daily_cap")
    monkeypatch.setenv("PAGE_DAILY_CAP", "2")
    today = 1_796_601_600 + 3600 * 20  # 2026-12-07, 20:00 UTC
    monkeypatch.setattr(daily_cap, "clock", lambda: today)
    assert [ask(client).status_code for _ in range(2)] == [200, 200]
    capped = ask(client)
    assert capped.status_code == 429
    assert "answered its 2 photos for today" in capped.body.decode() and "in 4 h 0 min" in capped.body.decode()
    assert capped.headers["Retry-After"] == str(4 * 3600)
    assert json.loads(ask(client, headers=AS_JSON).body)["error"].startswith("The bot has answered its 2 photos")
    assert len(endpoint_server.requests) == 2, "no endpoint call past the cap"
    assert counted() == {"page#2026-12-07": 2}
    monkeypatch.setattr(daily_cap, "clock", lambda: today + 4 * 3600 + 1)  # just past midnight UTC
    assert ask(client).status_code == 200, "a new day, a new count"
    assert counted() == {"page#2026-12-07": 2, "page#2026-12-08": 1}


def test_two_lambdas_at_once_cannot_both_take_the_last_answer(aws, chalicelib):
    """The count is a conditional write: the cap holds under concurrent Lambdas, not just one after another."""
    daily_cap = chalicelib("daily_cap")
    daily_cap.take_one(ENV["TABLE_NAME"], 1)
    with pytest.raises(daily_cap.CapReached):
        daily_cap.take_one(ENV["TABLE_NAME"], 1)


def test_no_photo_name_or_address_is_stored_or_logged(client, aws, web_page, caplog, capsys, monkeypatch):
    body, content_type = form(PHOTO.read_bytes(), filename="Jane Doe at home, 12 Elm St.jpg")
    headers = {"x-forwarded-for": "203.0.113.7", "user-agent": "a browser"}
    assert ask(client, body=body, content_type=content_type, headers=headers).status_code == 200
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", f"http://127.0.0.1:{closed_port()}")
    web_page._runtime.cache_clear()
    assert ask(client, body=body, content_type=content_type, headers=headers).status_code == 503  # logs an error
    items = aws_client("dynamodb").scan(TableName=ENV["TABLE_NAME"])["Items"]
    assert [set(item) for item in items] == [{"pk", "answers", "expires_at"}], "the table holds the count, nothing else"
    said = caplog.text + "".join(capsys.readouterr())
    for secret in ("Jane", "Elm", "203.0.113.7", "28.56", "-80.57"):
        assert secret not in said, f"{secret!r} reached a log"

"""The bot's second front door: a web page where anyone drops a photo and gets the bot's reply and map, as on X.

GET / is page.html. POST /ask takes the photo of its form, checks it (photo_check), counts it against the stage's
daily cap (daily_cap), asks the stage's endpoint (endpoint.predict) and answers with the X worker's own reply_text
and draw_map: as a whole page for the plain form, as JSON for the page's script. The photo lives in memory while it
is answered: nothing stores or logs it, nor who sent it.
"""
import base64
import functools
import html
import json
import logging
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path
from string import Template

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import daily_cap, endpoint, gps, photo_check
from chalicelib.aws_clients import SESSION
from chalicelib.map_image import draw_map
from chalicelib.reply import TOP, place_name, reply_text

log = logging.getLogger(__name__)
PAGE = Template(Path(__file__).with_name("page.html").read_text(encoding="utf-8"))
FIELD = "photo"  # the form's file input
# The page's Lambda (the API's) stops at 10 s, API Gateway at 29 s: one try of the endpoint, 7 s at most.
PAGE_TIMEOUTS = Config(connect_timeout=2, read_timeout=7, retries={"total_max_attempts": 1})


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    headers: dict = field(default_factory=dict)


@functools.lru_cache(maxsize=1)
def _runtime():
    return SESSION.client("sagemaker-runtime", config=PAGE_TIMEOUTS)


def form_action(path):
    """Where the form posts: /ask under the path the page was asked by, which on API Gateway starts with the stage
    ("/api/" or "/api" -> "/api/ask"), so the page works with or without its trailing slash."""
    base = (path or "/").rstrip("/")
    return base if base.endswith("/ask") else base + "/ask"


def page(path="/"):
    return _page(200, "", form_action(path))


def ask(body, content_type, accept, endpoint_name, table, path="/ask"):
    """The answer to one POST /ask: the bot's reply and map, or a refusal that says what to do."""
    as_json = "application/json" in (accept or "")
    action = form_action(path)
    try:
        photo_check.check_size(body)  # before the form is parsed
        photo = form_photo(body, content_type)
        truth = gps.position(photo_check.opened(photo))
        daily_cap.take_one(table, daily_cap.cap())
        predictions = endpoint.predict(endpoint_name, photo, runtime=_runtime())
    except photo_check.Refused as refused:
        return _refusal(refused.status, refused.sentence, as_json, action)
    except daily_cap.CapReached as reached:
        sentence = (f"The bot has answered its {reached.cap} photos for today: it takes photos again at midnight "
                    f"UTC, in {reached.seconds_left // 3600} h {reached.seconds_left % 3600 // 60} min.")
        return _refusal(429, sentence, as_json, action, {"Retry-After": str(reached.seconds_left)})
    except endpoint.PhotoRejected:
        return _refusal(422, "The model could not read this photo: try another one.", as_json, action)
    except endpoint.EndpointError as error:
        log.error("The page's photo went unanswered: %s", type(error).__name__)  # the error only: no photo, no sender
        return _refusal(503, "The bot's model did not answer in time: try again in a minute (a serverless endpoint "
                             "wakes up on the first photo).", as_json, action, {"Retry-After": "60"})
    except (BotoCoreError, ClientError) as error:  # the stage's table, where the day's answers are counted
        log.error("The page could not count an answer in its table: %s", type(error).__name__)
        return _refusal(503, "The bot cannot take photos right now: try again in a minute.", as_json, action,
                        {"Retry-After": "60"})
    reply = reply_text(predictions)
    fragment = _answer_html(reply, draw_map(predictions, truth=truth), _distances(predictions, truth))
    if as_json:
        return Answer(200, json.dumps({"reply": reply, "html": fragment}), {"Content-Type": "application/json"})
    return _page(200, fragment, action)


def form_photo(body, content_type):
    """The bytes of the form's photo field (multipart/form-data), whatever name or type the browser gave it."""
    head = f"Content-Type: {content_type or ''}\r\n\r\n".encode("utf-8", "replace")
    form = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if form.is_multipart():
        for part in form.iter_parts():
            if part.get_param("name", header="content-disposition") == FIELD:
                photo = part.get_payload(decode=True)
                if photo:
                    return photo
    raise photo_check.Refused(400, "No photo arrived with the form: pick a photo, then press Ask.")


def _distances(predictions, truth):
    if truth is None:
        return []
    return [(rank, place_name(guess), gps.km_between(truth, (guess["lat"], guess["lng"])))
            for rank, guess in enumerate(predictions[:TOP], start=1)]


def _answer_html(reply, png, distances):
    """The reply, its map and (when the photo had GPS EXIF) how far off each guess is."""
    lines = "".join(f"<li>{rank}. {html.escape(name)}: {km:,.0f} km from where the photo was taken</li>"
                    for rank, name, km in distances)
    far = f'<ul class="distances">{lines}</ul>' if lines else (
        '<p class="note">The photo has no GPS position in its EXIF, so how far off each guess is cannot be said.</p>')
    picture = base64.b64encode(png).decode()
    return (f'<section id="answer"><h2>The bot\'s reply</h2><pre class="reply">{html.escape(reply)}</pre>{far}'
            f'<img id="map" src="data:image/png;base64,{picture}" alt="The map the bot attaches: its guesses '
            f'numbered 1-3, a ring where the photo was taken"></section>')


def _refusal(status, sentence, as_json, action, headers=None):
    fragment = f'<section id="answer"><p class="refusal" role="alert">{html.escape(sentence)}</p></section>'
    if as_json:
        return Answer(status, json.dumps({"error": sentence, "html": fragment}),
                      {"Content-Type": "application/json", **(headers or {})})
    return _page(status, fragment, action, headers)


def _page(status, answer, action, headers=None):
    body = PAGE.substitute(answer=answer, action=html.escape(action), cap=daily_cap.cap(),
                           max_mb=photo_check.MAX_UPLOAD_BYTES // 2**20)
    return Answer(status, body, {"Content-Type": "text/html; charset=utf-8", **(headers or {})})

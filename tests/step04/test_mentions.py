"""chalicelib/mentions.py through the scheduled Lambda: mentions since the last one seen become work items."""
import json

import pytest
import responses
from responses import matchers

from bot_stand_ins import API, BOT_ID, problem

MENTIONS = f"{API}/2/users/{BOT_ID}/mentions"


def post(tweet_id, author, keys=(), **extra):
    return {"id": tweet_id, "text": "@whereml_bot where?", "edit_history_tweet_ids": [tweet_id], "author_id": author,
            "attachments": {"media_keys": list(keys)}, **extra}


PAGE = {
    "data": [
        post("6001", "2002", ["3_1", "3_9"]),
        post("6002", BOT_ID, ["3_2"]),
        post("6003", "2003", ["3_3"], referenced_tweets=[{"type": "retweeted", "id": "1"}]),
        post("6004", "2003", ["7_4"]),
        post("6005", "2003"),
        post("6006", "2003", ["7_4", "3_6"]),
    ],
    "includes": {
        "media": [{"media_key": k, "type": "photo", "url": f"https://pbs.twimg.com/media/{k}.jpg"}
                  for k in ("3_1", "3_2", "3_3", "3_6", "3_9")] + [{"media_key": "7_4", "type": "video"}],
        "users": [{"id": "2002", "name": "Alice", "username": "alice"}, {"id": "2003", "name": "Bo", "username": "bo"}],
    },
    "meta": {"newest_id": "6006", "oldest_id": "6001", "result_count": 6},
}


def run_poller(client):
    client.lambda_.invoke("poll_mentions", client.events.generate_cw_event("aws.events", "Scheduled Event", {}, []))


@pytest.mark.todo("04.3")
def test_new_mentions_with_photos_are_queued_and_the_newest_id_kept(client, aws, x):
    x.add(responses.GET, MENTIONS, json=PAGE)
    run_poller(client)
    assert sorted(aws.queued(), key=lambda item: item["tweet_id"]) == [
        {"tweet_id": "6001", "photo_url": "https://pbs.twimg.com/media/3_1.jpg", "author": "alice"},
        {"tweet_id": "6006", "photo_url": "https://pbs.twimg.com/media/3_6.jpg", "author": "bo"},
    ], "queue other people's mentions with a photo (first photo), not the bot's own, retweets or videos"
    asked = x.calls[0].request
    assert "attachments.media_keys" in asked.params["expansions"] and "since_id" not in asked.params
    assert asked.req_kwargs.get("timeout"), "ask X with a timeout"

    x.replace(responses.GET, MENTIONS, json={"meta": {"result_count": 0}},
              match=[matchers.query_param_matcher({"since_id": "6006"}, strict_match=False)])
    run_poller(client)
    assert len(x.calls) == 2, "the second run must ask only for mentions after since_id=6006"


def test_a_rate_limited_poll_changes_nothing(client, aws, x):
    x.add(responses.GET, MENTIONS, status=429, json=problem("Too Many Requests", 429))
    run_poller(client)
    assert aws.queued() == []
    x.replace(responses.GET, MENTIONS, json=PAGE,
              match=[matchers.query_param_matcher({"expansions": "attachments.media_keys,author_id"},
                                                  strict_match=False)])
    run_poller(client)
    assert "since_id" not in x.calls[-1].request.params, "a failed poll must not move the cursor"


def page(posts, newest=None, next_token=None):
    meta = {"result_count": len(posts)}
    if posts:
        meta.update(newest_id=newest or posts[0]["id"], oldest_id=posts[-1]["id"])
    if next_token:
        meta["next_token"] = next_token
    media = [{"media_key": f"3_{p['id']}", "type": "photo", "url": f"https://pbs.twimg.com/media/{p['id']}.jpg"}
             for p in posts]
    return {"data": posts, "includes": {"media": media, "users": [{"id": "2002", "name": "A", "username": "alice"}]},
            "meta": meta}


def by_token(token):
    return [matchers.query_param_matcher({"pagination_token": token} if token else {}, strict_match=False)]


def serve_pages(x, failing_page=None):
    """Three pages, newest first: 7005-7004, then 7003-7002 (next_token "p2aaaaaaaaaaaaaaa"), then 7001."""
    pages = [(None, [post("7005", "2002", ["3_7005"]), post("7004", "2002", ["3_7004"])], "p2aaaaaaaaaaaaaaa"),
             ("p2aaaaaaaaaaaaaaa", [post("7003", "2002", ["3_7003"]), post("7002", "2002", ["3_7002"])],
              "p3aaaaaaaaaaaaaaa"),
             ("p3aaaaaaaaaaaaaaa", [post("7001", "2002", ["3_7001"])], None)]
    for n, (token, posts, next_token) in enumerate(pages):
        if n == failing_page:
            x.add(responses.GET, MENTIONS, status=503, json=problem("Service Unavailable", 503), match=by_token(token))
        else:
            x.add(responses.GET, MENTIONS, json=page(posts, "7005", next_token), match=by_token(token))


def test_every_page_since_the_last_id_is_read(client, aws, x):
    serve_pages(x)
    run_poller(client)
    assert sorted(item["tweet_id"] for item in aws.queued()) == ["7001", "7002", "7003", "7004", "7005"], (
        "read every page: pass meta.next_token back as pagination_token until X sends none")
    x.replace(responses.GET, MENTIONS, json={"meta": {"result_count": 0}},
              match=[matchers.query_param_matcher({"since_id": "7005"}, strict_match=False)])
    run_poller(client)
    assert "since_id=7005" in x.calls[-1].request.url, "keep the newest id (of the first page) for the next run"


def test_a_failed_page_loses_nothing(client, aws, x, caplog):
    serve_pages(x, failing_page=1)
    errors = []
    try:
        run_poller(client)
    except Exception as error:  # the scheduled Lambda fails: EventBridge's next run comes anyway
        errors.append(error)
    assert errors and aws.queued() == [], "queue nothing and keep the cursor until every page is read"
    x.reset()
    serve_pages(x)
    run_poller(client)
    assert "since_id" not in x.calls[0].request.params, "a failed page must not move the cursor"
    assert len(aws.queued()) == 5


ENDLESS = [  # (what X does, the next_token of page n: it names pages without end)
    ("every page names itself next", lambda n: "p2aaaaaaaaaaaaaaa"),
    ("two pages name each other", lambda n: ("p2aaaaaaaaaaaaaaa", "p3aaaaaaaaaaaaaaa")[n % 2]),
    ("a new token on every page, without end", lambda n: f"p{n:016d}"),
]


@pytest.mark.parametrize("row", ENDLESS, ids=[row[0] for row in ENDLESS])
def test_the_poller_stops_when_x_names_pages_without_end(client, aws, x, chalicelib, caplog, row):
    what, next_token = row
    most = chalicelib("mentions").MAX_PAGES
    answered = []

    def mentions(request):
        n = len(answered)
        answered.append(n)
        if n >= 3 * most:  # a poller that never stops: end it here, as its Lambda's timeout would
            return 503, {}, json.dumps(problem("Service Unavailable", 503))
        return 200, {}, json.dumps(page([post(str(8000 + n), "2002", [f"3_{8000 + n}"])], "8000", next_token(n)))

    x.add_callback(responses.GET, MENTIONS, callback=mentions, content_type="application/json")
    run_poller(client)
    assert len(answered) <= most, (
        f"{what}: the poller asked for {len(answered)} pages in one run: stop at a next_token already followed, and "
        f"read at most MAX_PAGES ({most}) a run"
    )
    queued = [item["tweet_id"] for item in aws.queued()]
    assert len(queued) == len(set(queued)) == len(answered), "each page read is queued once"
    assert "pages" in caplog.text, "the log says the run stopped early"

"""Outside input never gets a 5xx from the webhook, and the photo URL fetched is the one that was checked."""
import time

import pytest

from bot_stand_ins import JPEG, P1, P2, mention_delivery, post_event, post_id_at, signature, tweet

WEBHOOK = "/twitter/webhook"


def signed_post(client, body):
    headers = {"content-type": "application/json", "x-twitter-webhooks-signature": signature(body)}
    return client.http.post(WEBHOOK, headers=headers, body=body)


@pytest.mark.parametrize(
    "request_kind, value, status",
    [("signature", "sha256=\udc80", 403), ("signature", "\ud800" * 3, 403), ("crc", "abc\udc80", 400)],
    ids=["lone surrogate in the signature", "only surrogates in the signature", "lone surrogate in crc_token"],
)
def test_lone_surrogates_get_a_4xx(client, aws, request_kind, value, status):
    if request_kind == "crc":
        answer = client.http.get(f"{WEBHOOK}?crc_token={value}")
    else:
        headers = {"content-type": "application/json", "x-twitter-webhooks-signature": value}
        answer = client.http.post(WEBHOOK, headers=headers, body=b"{}")
    assert answer.status_code == status, "refuse text that cannot be UTF-8 before signing or checking it"


def test_signed_json_nested_too_deep_is_a_400(client, aws):
    assert signed_post(client, b"[" * 100_000 + b"]" * 100_000).status_code == 400


BAD_URLS = [
    "https://[pbs.twimg.com/a", "https://127.0.0.1:8443\\@pbs.twimg.com/x.jpg", "https://user@pbs.twimg.com/x.jpg",
    "https://user:pw@pbs.twimg.com/x.jpg", "https://pbs.twimg.com:8443/x.jpg", "https://pbs.twimg.com\\x.jpg",
    "https://pbs.twimg.com.evil.example/x.jpg", "https://pbs.twimg.com/x\udc80.jpg", "https://pbs.twimg.com/\n.jpg",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_odd_photo_urls_are_acknowledged_and_skipped(client, aws, url):
    v1 = tweet(P1)
    v1["extended_entities"]["media"][0]["media_url_https"] = url
    v2 = mention_delivery(P2)
    v2["data"]["includes"]["media"][0]["url"] = url
    for delivery in ({"tweet_create_events": [v1]}, v2):
        answer = post_event(client, delivery)
        assert answer.status_code == 200, f"{url!r} must be skipped, not a {answer.status_code}"
    assert aws.queued() == [], "an odd URL is no photo on X's media host: skip it"


@pytest.mark.parametrize("url", BAD_URLS)
def test_checked_photo_url_refuses_what_requests_would_read_otherwise(chalicelib, url):
    assert chalicelib("photos").checked_photo_url(url) is None


def test_the_photo_fetched_is_the_url_rebuilt_from_the_checked_parts(chalicelib, x):
    photos = chalicelib("photos")
    assert photos.checked_photo_url("https://PBS.twimg.com/media/F.jpg?name=large#x") == (
        "https://pbs.twimg.com/media/F.jpg?name=large")
    x.add("GET", "https://pbs.twimg.com/media/F.jpg?name=large", body=JPEG)
    assert photos.download("https://PBS.twimg.com/media/F.jpg?name=large#frag") == JPEG
    assert [call.request.url for call in x.calls] == ["https://pbs.twimg.com/media/F.jpg?name=large"]


def test_work_items_in_the_queue_carry_the_checked_url(client, aws):
    odd = tweet(P1)
    odd["extended_entities"]["media"][0]["media_url_https"] = "https://PBS.twimg.com/media/F.jpg"
    post_event(client, {"tweet_create_events": [odd]})
    assert [item["photo_url"] for item in aws.queued()] == ["https://pbs.twimg.com/media/F.jpg"]


DAY = 24 * 3600
ODD_IDS = ["0" + P1, "５００１", "٥٠٠١", P1 + "\n", " " + P1, "+" + P1, "9" * 20, "9" * 5000, str(2**63),
           post_id_at(time.time() - 31 * DAY), post_id_at(time.time() - 400 * DAY), "5001"]
ODD_ID_NAMES = ["leading zero", "fullwidth digits", "Arabic-Indic digits", "newline after", "space before",
                "plus sign", "20 digits", "5,000 digits", "2**63", "31 days old (a replay)", "a year old",
                "a post of 2006"]


@pytest.mark.parametrize("post_id", ODD_IDS, ids=ODD_ID_NAMES)
def test_odd_or_old_post_ids_are_acknowledged_and_not_queued(client, aws, post_id):
    for delivery in ({"tweet_create_events": [tweet(post_id)]}, mention_delivery(post_id)):
        answer = post_event(client, delivery)
        assert answer.status_code == 200 and answer.json_body == {"queued": 0}, (
            f"post id {post_id!r:.40} is not one X writes for a new post: ASCII digits without a leading zero, "
            "below 2**63, made within the dedupe window"
        )
    assert aws.queued() == []

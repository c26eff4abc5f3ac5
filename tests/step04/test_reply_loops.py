"""Two photo bots facing each other: ours, and another that answers each of our replies with a photo and a mention.
However the other bot's posts arrive (X Activity, Account Activity, the poller), ours answers the first mention only:
a post that replies to the bot's own reply gets no reply, or the two would go back and forth for ever."""
import json

import pytest
import responses

from bot_stand_ins import (
    API,
    BOT_ID,
    PhotoBot,
    allow_reply,
    deliver,
    mention_delivery,
    photo_of,
    post_event,
    post_photo_of,
    replies,
    serve_photo,
)

ROUNDS = 4
MENTIONS = f"{API}/2/users/{BOT_ID}/mentions"


def by_activity_api(client, x, bot, n):
    post_id = bot.post_id(n)
    serve_photo(x, post_photo_of(post_id))
    post_event(client, mention_delivery(post_id, author=(bot.ID, bot.NAME), **bot.post(n)))


def by_account_activity_api(client, x, bot, n):
    serve_photo(x, photo_of(bot.post_id(n)))
    post_event(client, {"tweet_create_events": [bot.tweet(n)]})


def by_the_poller(client, x, bot, n):
    post_id = bot.post_id(n)
    page = {
        "data": [{"id": post_id, "text": "@whereml_bot and this one?", "edit_history_tweet_ids": [post_id],
                  "author_id": bot.ID, "attachments": {"media_keys": [f"3_{post_id}"]}, **bot.post(n)}],
        "includes": {"media": [{"media_key": f"3_{post_id}", "type": "photo", "url": post_photo_of(post_id)}],
                     "users": [{"id": bot.ID, "name": "Other", "username": bot.NAME}]},
        "meta": {"newest_id": post_id, "oldest_id": post_id, "result_count": 1},
    }
    serve_photo(x, post_photo_of(post_id))
    x.replace(responses.GET, MENTIONS, json=page) if n else x.add(responses.GET, MENTIONS, json=page)
    client.lambda_.invoke("poll_mentions", client.events.generate_cw_event("aws.events", "Scheduled Event", {}, []))


PATHS = [("the X Activity API", by_activity_api), ("the Account Activity API", by_account_activity_api),
         ("the poller", by_the_poller)]


@pytest.mark.parametrize("path", PATHS, ids=[path[0] for path in PATHS])
def test_two_photo_bots_facing_each_other_exchange_one_reply(client, aws, x, caplog, path):
    what, arrives = path
    bot = PhotoBot()
    allow_reply(x)
    for n in range(ROUNDS):  # the other bot's first mention, then its answer to each of our replies
        arrives(client, x, bot, n)
        assert deliver(client, aws) == []
    answered = [reply["reply"]["in_reply_to_tweet_id"] for reply in replies(x)]
    assert answered == [bot.post_id(0)], (
        f"through {what}, our bot replied {len(answered)} times in {ROUNDS} rounds to a bot that answers each "
        "reply with a photo: do not answer a post that replies to the bot's own reply (in_reply_to_user_id)"
    )


def for_account(user_id):
    def change(delivery):
        delivery["data"]["filter"]["user_id"] = user_id
    return change


DROPPED = [  # (what X delivered, how it differs from a photo mention of the bot, words the log line says)
    ("a mention of another account (the README's <BOT_USER_ID> left as it is)", for_account("<BOT_USER_ID>"),
     ["not an id", BOT_ID]),
    ("a mention of another account", for_account("4242"), ["4242", BOT_ID]),
    ("another kind of event", lambda delivery: delivery["data"].update(event_type="post.like.create"),
     ["post.mention.create"]),
    ("the bot's own post", lambda delivery: delivery["data"]["payload"].update(author_id=BOT_ID), ["own post"]),
    ("a repost", lambda delivery: delivery["data"]["payload"].update(
        referenced_tweets=[{"type": "retweeted", "id": "1"}]), ["repost"]),
    ("a reply to the bot's reply", lambda delivery: delivery["data"]["payload"].update(PhotoBot().post(1)),
     ["loop"]),
    ("a post with a video and no photo", lambda delivery: delivery["data"]["includes"]["media"][0].update(
        type="video"), ["photo"]),
    ("a post older than the dedupe window", lambda delivery: delivery["data"]["payload"].update(id="1000"),
     ["dedupe window"]),
]


@pytest.mark.parametrize("row", DROPPED, ids=[row[0] for row in DROPPED])
def test_a_dropped_delivery_says_why_in_one_log_line_by_ids_alone(client, aws, caplog, row):
    """`{"queued": 0}` alone leaves whoever tries the webhook by hand guessing."""
    what, change, words = row
    caplog.set_level("INFO", logger="chalicelib")
    delivery = mention_delivery(PhotoBot().post_id(0), text="@whereml_bot where? my secret words")
    change(delivery)
    assert post_event(client, delivery).json_body == {"queued": 0}
    lines = [record.getMessage() for record in caplog.records if record.name.startswith("chalicelib")]
    assert len(lines) == 1 and all(word in lines[0] for word in words), (
        f"{what}: the log reads {lines}: say why in one line ({', '.join(words)})"
    )
    assert "secret words" not in json.dumps(lines), "no user content in the log beyond ids"

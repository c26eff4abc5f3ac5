"""chalicelib/work_queue.py: a delivery of many posts is queued in batches of ten, and no work item is lost."""
import json

import pytest
from botocore.stub import Stubber

from bot_stand_ins import BOT_ID, ENV, post_event, tweet

ITEMS = [{"tweet_id": str(5000 + n), "photo_url": None, "author": "alice"} for n in range(12)]
URL = "https://sqs.us-west-2.amazonaws.com/123456789012/whereml-test-work"


def batch(items, start=0):
    return {"QueueUrl": URL, "Entries": [{"Id": str(n), "MessageBody": json.dumps(item)}
                                         for n, item in enumerate(items, start=start)]}


def answer(ids, failed=()):
    return {"Successful": [{"Id": i, "MessageId": f"m{i}", "MD5OfMessageBody": "0" * 32} for i in ids],
            "Failed": [{"Id": i, "SenderFault": False, "Code": "InternalError"} for i in failed]}


def test_a_delivery_of_1000_posts_is_queued_ten_a_call(client, aws, chalicelib):
    posts = [tweet(str(int(tweet()["id_str"]) + n)) for n in range(1000)]
    items = [{"tweet_id": post["id_str"], "photo_url": post["extended_entities"]["media"][0]["media_url_https"],
              "author": "alice"} for post in posts]
    # The Stubber, not moto: moto's SQS scans every message at each call, and takes 25 s over 1,000 of them.
    with Stubber(chalicelib("aws_clients").client("sqs")) as sqs:
        sqs.add_response("get_queue_url", {"QueueUrl": URL}, {"QueueName": ENV["QUEUE_NAME"]})
        for start in range(0, 1000, 10):
            sqs.add_response("send_message_batch", answer([str(n) for n in range(10)]), batch(items[start:start + 10]))
        answer_ = post_event(client, {"for_user_id": BOT_ID, "tweet_create_events": posts})
        sqs.assert_no_pending_responses()  # and no SendMessage: the Stubber refuses any call it was not given
    assert answer_.json_body == {"queued": 1000}, (
        "one SendMessage a post takes 25 s for 1,000 posts, past X's 10 s: send_message_batch, 10 a call"
    )


@pytest.mark.parametrize("fails_again", [False, True], ids=["sent once more", "failed twice"])
def test_entries_sqs_fails_are_sent_again_then_the_delivery_fails(chalicelib, env, fails_again):
    work_queue = chalicelib("work_queue")
    with Stubber(chalicelib("aws_clients").client("sqs")) as sqs:  # moto's SQS never fails part of a batch
        sqs.add_response("get_queue_url", {"QueueUrl": URL}, {"QueueName": ENV["QUEUE_NAME"]})
        sqs.add_response("send_message_batch", answer(["0", "1", "2", "4", "5", "6", "7", "8", "9"], ["3"]),
                         batch(ITEMS[:10]))
        again = batch([ITEMS[3]])
        again["Entries"][0]["Id"] = "3"
        sqs.add_response("send_message_batch", answer([], ["3"]) if fails_again else answer(["3"]), again)
        if fails_again:
            with pytest.raises(work_queue.NotQueued, match="1 of the work items"):
                work_queue.enqueue(ENV["QUEUE_NAME"], ITEMS)
        else:
            sqs.add_response("send_message_batch", answer(["0", "1"]), batch(ITEMS[10:]))
            assert work_queue.enqueue(ENV["QUEUE_NAME"], ITEMS) == 12
        sqs.assert_no_pending_responses()


def test_a_delivery_sqs_cannot_take_is_a_500_so_that_x_sends_it_again(client, aws, chalicelib):
    with Stubber(chalicelib("aws_clients").client("sqs")) as sqs:
        sqs.add_response("get_queue_url", {"QueueUrl": URL}, {"QueueName": ENV["QUEUE_NAME"]})
        for _ in range(2):
            sqs.add_response("send_message_batch", answer([], ["0"]))
        answer_ = post_event(client, {"tweet_create_events": [tweet()]})
    assert answer_.status_code == 500 and b"Could not queue" in answer_.body


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_longest_delay_leaves_room_for_the_worker_s_own_time(chalicelib, tree, stage):
    config = json.loads((tree / "04_bot" / ".chalice" / "config.json").read_text())["stages"][stage]
    work_queue = chalicelib("work_queue")
    assert work_queue.WORKER_TIMEOUT == config["lambda_functions"]["answer_mention"]["lambda_timeout"]
    assert work_queue.MAX_DELAY + work_queue.WORKER_TIMEOUT <= 12 * 3600, "SQS's 12 hours count from the receipt"

"""The SQS queue between the webhook (or the poller) and the worker: one message per tweet to answer."""
import json

from chalicelib.aws_clients import client

# SQS's longest visibility timeout is 12 hours counted from when the worker received the message, and the worker
# may have run for up to its Lambda timeout since: ask for no more than what is left.
SQS_LONGEST_VISIBILITY = 12 * 3600  # seconds
WORKER_TIMEOUT = 120  # seconds, the answer_mention Lambda's timeout in .chalice/config.json
MAX_DELAY = SQS_LONGEST_VISIBILITY - 2 * WORKER_TIMEOUT
BATCH = 10  # messages in one SendMessageBatch, SQS's most


def _queue(queue_name):
    sqs = client("sqs")
    return sqs, sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]


class NotQueued(RuntimeError):
    """SQS refused some work items twice: the caller fails, so that X sends the delivery again."""


def enqueue(queue_name, items):
    """Put each work item on the queue as one JSON message, BATCH to a call; returns how many.

    Entries SQS fails are sent once more; if some fail again NotQueued is raised (the webhook answers 500 and X
    retries the delivery; the items that did get queued are answered once, thanks to the dedupe claim)."""
    if not items:
        return 0
    sqs, url = _queue(queue_name)
    for start in range(0, len(items), BATCH):
        entries = [{"Id": str(n), "MessageBody": json.dumps(item)} for n, item in enumerate(items[start:start + BATCH])]
        for _ in range(2):
            failed = {entry["Id"] for entry in sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed", [])}
            entries = [entry for entry in entries if entry["Id"] in failed]
            if not entries:
                break
        else:
            raise NotQueued(f"SQS did not take {len(entries)} of the work items for {queue_name}")
    return len(items)


def retry_after(queue_name, receipt_handle, seconds):
    """Hide a message for `seconds` before SQS hands it to the worker again (no sleeping in Lambda)."""
    sqs, url = _queue(queue_name)
    delay = max(1, min(int(seconds), MAX_DELAY))
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=receipt_handle, VisibilityTimeout=delay)
    return delay

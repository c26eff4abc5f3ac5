"""The SQS queue between the webhook (or the poller) and the worker: one message per tweet to answer."""
import json

from chalicelib.aws_clients import client

MAX_DELAY = 12 * 3600  # SQS's longest visibility timeout, in seconds


def _queue(queue_name):
    sqs = client("sqs")
    return sqs, sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]


def enqueue(queue_name, items):
    """Put each work item on the queue as one JSON message; returns how many."""
    if not items:
        return 0
    sqs, url = _queue(queue_name)
    for item in items:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(item))
    return len(items)


def retry_after(queue_name, receipt_handle, seconds):
    """Hide a message for `seconds` before SQS hands it to the worker again (no sleeping in Lambda)."""
    sqs, url = _queue(queue_name)
    delay = max(1, min(int(seconds), MAX_DELAY))
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=receipt_handle, VisibilityTimeout=delay)
    return delay

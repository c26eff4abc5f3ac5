"""One reply per tweet, even when X or SQS delivers it twice: a DynamoDB conditional write claims it first.

Items are keyed "tweet#<id>"; `state` is "claimed" (a worker is at it, until `lease_until`), "sending" (the reply
request is about to leave: never taken over, even when the worker dies), "answered", "refused" or "uncertain"
(X may have posted the reply). The table's TTL attribute `expires_at` forgets them after KEEP_SECONDS.
"""
import time

from botocore.exceptions import ClientError

from chalicelib.aws_clients import client

LEASE_SECONDS = 300  # longer than the worker's Lambda timeout: a live claim is never taken over
KEEP_SECONDS = 30 * 24 * 3600


class AlreadyAnswered(Exception):
    """Another delivery of this tweet was answered already, refused by X, or its reply may be out."""


class InProgress(Exception):
    """Another worker holds a live claim on this tweet: look again once its lease is over."""


def _key(tweet_id):
    return {"pk": {"S": f"tweet#{tweet_id}"}}


def claim(table, tweet_id):
    """Take `tweet_id` for this worker, or raise AlreadyAnswered / InProgress."""
    now = int(time.time())
    try:
        client("dynamodb").put_item(
            TableName=table,
            Item={
                **_key(tweet_id),
                "state": {"S": "claimed"},
                "lease_until": {"N": str(now + LEASE_SECONDS)},
                "expires_at": {"N": str(now + KEEP_SECONDS)},
            },
            # Free, or claimed by a worker that died (its lease is over).
            ConditionExpression="attribute_not_exists(pk) OR (#state = :claimed AND lease_until < :now)",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":claimed": {"S": "claimed"}, ":now": {"N": str(now)}},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        item = client("dynamodb").get_item(TableName=table, Key=_key(tweet_id), ConsistentRead=True).get("Item", {})
        state = item.get("state", {}).get("S")
        if state == "claimed":
            raise InProgress(f"tweet {tweet_id} is being answered by another worker") from None
        if state == "sending":
            raise AlreadyAnswered(f"a reply to tweet {tweet_id} was sent before and may be out: not sending again") \
                from None
        raise AlreadyAnswered(f"tweet {tweet_id} was {state} already") from None


def sending(table, tweet_id):
    """Mark our claim as sending, right before the reply request leaves: from now on no retry ever posts."""
    client("dynamodb").put_item(
        TableName=table,
        Item={**_key(tweet_id), "state": {"S": "sending"}, "expires_at": {"N": str(int(time.time()) + KEEP_SECONDS)}},
        ConditionExpression="#state = :claimed",
        ExpressionAttributeNames={"#state": "state"},
        ExpressionAttributeValues={":claimed": {"S": "claimed"}},
    )


def release(table, tweet_id):
    """Give a claim back (X's answer proves nothing was posted) so that a retry can take it."""
    client("dynamodb").delete_item(
        TableName=table,
        Key=_key(tweet_id),
        ConditionExpression="#state IN (:claimed, :sending)",
        ExpressionAttributeNames={"#state": "state"},
        ExpressionAttributeValues={":claimed": {"S": "claimed"}, ":sending": {"S": "sending"}},
    )


def settle(table, tweet_id, state, reply_id=""):
    """Record the end of a claim for good: "answered" (with the reply's id), "refused" or "uncertain"."""
    client("dynamodb").put_item(
        TableName=table,
        Item={
            **_key(tweet_id),
            "state": {"S": state},
            "reply_id": {"S": str(reply_id)},
            "expires_at": {"N": str(int(time.time()) + KEEP_SECONDS)},
        },
    )

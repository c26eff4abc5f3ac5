"""The page's daily cap: at most PAGE_DAILY_CAP answers a UTC day for the stage, counted in the stage's DynamoDB
table (one item a day, "page#2026-12-07"), so that a page found by the whole internet costs a known amount at most.

The count goes up by a conditional write, so two Lambdas at once can never both take the last answer; the item
expires (the table's TTL, `expires_at`) two days later.
"""
import os
import time

from botocore.exceptions import ClientError

from chalicelib.aws_clients import client

DEFAULT_CAP = 200  # answers a day; see the README's cost table
DAY = 24 * 3600
clock = time.time  # seconds since the epoch, UTC


class CapReached(Exception):
    """The stage's page has given all of today's answers."""

    def __init__(self, cap, seconds_left):
        super().__init__(f"the page has answered its {cap} photos for today")
        self.cap, self.seconds_left = cap, seconds_left


def cap():
    """PAGE_DAILY_CAP of the stage (.chalice/config.json), DEFAULT_CAP when unset."""
    return int(os.environ.get("PAGE_DAILY_CAP") or DEFAULT_CAP)


def take_one(table, limit):
    """Count one answer for today, or raise CapReached when `limit` of them were given already."""
    now = clock()
    day = time.strftime("%Y-%m-%d", time.gmtime(now))
    try:
        client("dynamodb").update_item(
            TableName=table,
            Key={"pk": {"S": f"page#{day}"}},
            UpdateExpression="ADD answers :one SET expires_at = :expires",
            ConditionExpression="attribute_not_exists(answers) OR answers < :limit",
            ExpressionAttributeValues={
                ":one": {"N": "1"}, ":limit": {"N": str(limit)}, ":expires": {"N": str(int(now) + 2 * DAY)},
            },
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        raise CapReached(limit, DAY - int(now) % DAY) from None

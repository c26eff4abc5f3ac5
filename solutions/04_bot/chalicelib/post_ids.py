"""X's post ids, checked the same way by the webhook, the poller and the worker, and the time each one carries.

A post id is ASCII digits without a leading zero, below 2**63 (at most 19 digits): "05001" or "５００１" would be a
second name for post 5001, and a second reply. Since November 2010 every id is a snowflake whose top bits are the
milliseconds since X's epoch, so an id says when the post was made: a post older than the dedupe window (a replayed
old delivery, whose dedupe record may be gone) is refused.
"""
import re
import time

from chalicelib.dedupe import KEEP_SECONDS

POST_ID = re.compile(r"[1-9][0-9]{0,18}")
LARGEST = 2**63 - 1
X_EPOCH_MS = 1288834974657  # 2010-11-04, where X's snowflake clock starts
MAX_AGE = KEEP_SECONDS - 24 * 3600  # a day short of the dedupe window: a post this recent still has its record
CLOCK_SKEW = 10 * 60  # seconds an id may be ahead of our clock


def checked(value):
    """`value` if it is a post id as X writes it, else None."""
    if isinstance(value, str) and POST_ID.fullmatch(value) and int(value) <= LARGEST:
        return value
    return None


def posted_at(post_id):
    """When the post was made, in seconds since 1970 (a snowflake: milliseconds since X's epoch, shifted by 22)."""
    return ((int(post_id) >> 22) + X_EPOCH_MS) / 1000


def is_recent(post_id, now=None):
    """True for a checked post id made within MAX_AGE (and not in the future)."""
    now = time.time() if now is None else now
    return now - MAX_AGE <= posted_at(post_id) <= now + CLOCK_SKEW

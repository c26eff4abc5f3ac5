"""chalicelib/post_ids.py: one check of X's post ids for the webhook, the poller and the worker, and their time."""
import time
from datetime import UTC, datetime

import pytest

from bot_stand_ins import post_id_at

DAY = 24 * 3600


@pytest.fixture(scope="module")
def post_ids(chalicelib):
    return chalicelib("post_ids")


@pytest.mark.parametrize("value", ["1", "5001", "1" + "0" * 18, str(2**63 - 1), post_id_at(time.time())],
                         ids=["one digit", "four digits", "19 digits", "2**63 - 1", "a post of now"])
def test_ids_as_x_writes_them_are_kept(post_ids, value):
    assert post_ids.checked(value) == value


@pytest.mark.parametrize(
    "value",
    ["05001", "0", "", "５００１", "٥٠٠١", "۵۰۰۱", "5001\n", " 5001", "+5001", "-5001", "50 01", "5_001", "5e3",
     "²", str(2**63), "1" * 20, "9" * 5000, 5001, None, ["5001"]],
    ids=["leading zero", "zero", "empty", "fullwidth digits", "Arabic-Indic digits", "Persian digits",
         "newline after", "space before", "plus sign", "minus sign", "space inside", "underscore", "exponent",
         "superscript two", "2**63", "20 digits", "5,000 digits", "a JSON number", "null", "a list"],
)
def test_anything_else_is_no_post_id(post_ids, value):
    assert post_ids.checked(value) is None, (
        f"{value!r:.40} is no post id: only ASCII digits 0-9 without a leading zero, below 2**63 (re.fullmatch)"
    )


@pytest.mark.parametrize("when", [datetime(2020, 2, 29, 12, 0, 0, 123000, tzinfo=UTC),
                                  datetime(2026, 12, 4, 15, 31, tzinfo=UTC)])
def test_an_id_says_when_its_post_was_made(post_ids, when):
    assert post_ids.posted_at(post_id_at(when.timestamp(), sequence=4095)) == pytest.approx(when.timestamp())


def test_x_s_own_example_id_dates_from_2022(post_ids):
    # X's docs use post 1585841080431321088 (edit_history_tweet_ids), posted on 2022-10-28.
    made = datetime.fromtimestamp(post_ids.posted_at("1585841080431321088"), UTC)
    assert made.date().isoformat() == "2022-10-28"


@pytest.mark.parametrize("age_days, recent", [(0, True), (1, True), (28.9, True), (29.1, False), (31, False),
                                             (365, False), (-1, False)],
                         ids=["now", "a day old", "just inside", "just past", "past the dedupe window",
                              "a year old", "a day in the future"])
def test_only_posts_younger_than_the_dedupe_window_are_recent(post_ids, chalicelib, age_days, recent):
    now = time.time()
    assert post_ids.MAX_AGE < chalicelib("dedupe").KEEP_SECONDS, "a post still this young has its dedupe record"
    assert post_ids.is_recent(post_id_at(now - age_days * DAY), now) is recent

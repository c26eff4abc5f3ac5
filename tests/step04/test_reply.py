"""chalicelib/reply.py: flags for every country reverse geocoding knows, and the reply's lines within one post."""
import csv
from pathlib import Path

import pytest
import reverse_geocode
from bot_stand_ins import PREDICTIONS

COUNTRY_CODES = [row[0] for row in csv.reader(open(Path(reverse_geocode.__file__).with_name("countries.csv")))]


@pytest.fixture(scope="module")
def reply(chalicelib):
    return chalicelib("reply")


def test_every_country_reverse_geocoding_returns_has_its_flag(reply):
    assert len(COUNTRY_CODES) > 200
    for code in COUNTRY_CODES:
        flag = reply.flag(code)
        assert len(flag) == 2 and all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in flag), f"no flag for {code}"
        assert "".join(chr(ord(c) - 0x1F1E6 + ord("A")) for c in flag) == code, (
            f"flag({code!r}) spells {flag!r}: each letter becomes chr(ord(letter) + 127397)"
        )


def test_known_flags(reply):
    assert (reply.flag("FR"), reply.flag("JP"), reply.flag("us")) == ("🇫🇷", "🇯🇵", "🇺🇸")


@pytest.mark.parametrize("code", ["", "F", "FRA", "12", "F1", "ÉS", "ﬀ", " F", None, 33, "🇫🇷"])
def test_no_flag_for_anything_but_two_ascii_letters(reply, code):
    assert reply.flag(code) == "", f"flag({code!r}) must be '' (only two ASCII letters make a flag)"


def test_reply_text_has_one_line_per_guess_best_first(reply):
    assert reply.reply_text(PREDICTIONS).splitlines() == [
        "📍 1. Marseille, Provence-Alpes-Cote d'Azur 🇫🇷 43%",
        "📍 2. Barcelona, Catalonia 🇪🇸 21%",
        "📍 3. Genoa, Liguria 🇮🇹 5%",
    ]


def test_reply_text_without_place_region_or_country(reply):
    guesses = [{"lat": -12.5, "lng": 130.84, "probability": 0.004, "place": "", "admin1": None, "country_code": ""},
               {"lat": 1, "lng": 2, "probability": 0.3, "place": "Somewhere"}]
    assert reply.reply_text(guesses).splitlines() == ["📍 1. -12.50, 130.84 <1%", "📍 2. Somewhere 30%"]


def test_reply_text_stays_within_one_post_with_long_names(reply):
    guesses = [dict(p, place="東京" * 60, admin1="Llanfairpwllgwyngyll" * 10) for p in PREDICTIONS * 4]
    text = reply.reply_text(guesses)
    assert 1 <= len(text.splitlines()) <= 3
    assert reply.weighted_length(text) <= 280


def test_weighted_length_counts_emoji_and_cjk_double(reply):
    assert reply.weighted_length("abc") == 3
    assert reply.weighted_length("東京") == 4
    assert reply.weighted_length("📍") == 2

"""chalicelib/reply.py: flags for every country reverse geocoding knows, and the reply's lines within one post."""
import csv
import importlib.util
from pathlib import Path

import pytest

from bot_stand_ins import PREDICTIONS

# The countries reverse_geocode knows, read from its package folder without importing it (its import loads SciPy).
COUNTRIES = Path(importlib.util.find_spec("reverse_geocode").origin).with_name("countries.csv")
COUNTRY_CODES = [row[0] for row in csv.reader(open(COUNTRIES))]


@pytest.fixture(scope="module")
def reply(chalicelib):
    return chalicelib("reply")


def guess(name, probability=0.43, country_code="JP"):
    return {"lat": 35.68, "lng": 139.69, "probability": probability, "place": name, "admin1": "",
            "country_code": country_code}


# Each line weighs 15 + its name: "📍" 2, " 1. " 4, " 🇯🇵 " 6, "43%" 3; the place names here are at most 40 characters.
FULL = guess("東" * 40)  # 95
NAME_88, NAME_89 = "東" * 36 + "a", "東" * 37  # lines of 88 and 89: with two 95s and two newlines, 280 and 281


@pytest.mark.todo("04.4")
def test_every_country_reverse_geocoding_returns_has_its_flag(reply):
    assert len(COUNTRY_CODES) > 200
    for code in COUNTRY_CODES:
        flag = reply.flag(code)
        assert len(flag) == 2 and all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in flag), f"no flag for {code}"
        assert "".join(chr(ord(c) - 0x1F1E6 + ord("A")) for c in flag) == code, (
            f"flag({code!r}) spells {flag!r}: each letter becomes chr(ord(letter) + 127397)"
        )


@pytest.mark.todo("04.4")
@pytest.mark.parametrize("code, flag", [("FR", "🇫🇷"), ("JP", "🇯🇵"), ("us", "🇺🇸"), ("Gb", "🇬🇧")])
def test_known_flags(reply, code, flag):
    assert reply.flag(code) == flag, (
        f"flag({code!r}) is {reply.flag(code)!r}, not {flag}: upper-case the two letters, then chr(ord(letter) + 127397)"
    )


@pytest.mark.todo("04.4")
@pytest.mark.parametrize("code", ["", "F", "FRA", "12", "F1", "ÉS", "ﬀ", " F", "FR\n", "F\n", "\nFR", None, 33, "🇫🇷"])
def test_no_flag_for_anything_but_two_ascii_letters(reply, code):
    try:
        flag = reply.flag(code)
    except Exception as error:
        pytest.fail(f"flag({code!r}) raised {type(error).__name__} ({error}): anything but a string of two ASCII "
                    "letters gives ''")
    assert flag == "", (f"flag({code!r}) must be '', not {flag!r}: only two ASCII letters make a flag (a regular "
                        "expression's $ also matches before a final newline: use re.fullmatch, or \\Z)")


@pytest.mark.todo("04.4")
@pytest.mark.parametrize("code", ["\u017fe", "\u212ar", "\u0131t", "\u0130T"],
                         ids=["long s: 'ſe'.upper() is 'SE'", "Kelvin sign K", "dotless i: 'ıt'.upper() is 'IT'",
                              "capital I with a dot"])
def test_no_flag_for_letters_that_only_case_folding_makes_ascii(reply, code):
    # Python's re.IGNORECASE lets [A-Z] match exactly these four, and upper() maps ſ and ı onto S and I.
    flag = reply.flag(code)
    assert flag == "", (
        f"flag({code!r}) must be '', not {flag!r}: {code!r} is no country code, though case folding turns it into "
        "ASCII letters. Check that both characters are ASCII letters as they come (str.isascii() and isalpha()), "
        "before any upper() and without re.IGNORECASE"
    )


@pytest.mark.todo("04.5")
def test_reply_text_has_one_line_per_guess_best_first(reply):
    assert reply.reply_text(PREDICTIONS).splitlines() == [
        "📍 1. Marseille, Provence-Alpes-Cote d'Azur 🇫🇷 43%",
        "📍 2. Barcelona, Catalonia 🇪🇸 21%",
        "📍 3. Genoa, Liguria 🇮🇹 5%",
    ]


@pytest.mark.todo("04.5")
def test_reply_text_without_place_region_or_country(reply):
    guesses = [{"lat": 1, "lng": 2, "probability": 0.3, "place": "Somewhere"},
               {"lat": -12.5, "lng": 130.84, "probability": 0.004, "place": "", "admin1": None, "country_code": ""}]
    assert reply.reply_text(guesses).splitlines() == ["📍 1. Somewhere 30%", "📍 2. -12.50, 130.84 <1%"]


@pytest.mark.todo("04.5")
def test_reply_text_lists_the_top_three_of_a_longer_answer(reply):
    guesses = [guess(name, probability) for name, probability in
               [("Tokyo", 0.4), ("Osaka", 0.2), ("Kyoto", 0.1), ("Nagoya", 0.05), ("Sapporo", 0.01)]]
    lines = reply.reply_text(guesses).splitlines()
    assert [line.split()[2] for line in lines] == ["Tokyo", "Osaka", "Kyoto"], (
        f"the reply to an answer of 5 guesses reads {lines}: list the TOP (3) best, predictions[:TOP], no more"
    )


@pytest.mark.todo("04.5")
def test_reply_text_stays_within_one_post_with_long_names(reply):
    guesses = [dict(p, place="東京" * 60, admin1="Llanfairpwllgwyngyll" * 10) for p in PREDICTIONS * 4]
    text = reply.reply_text(guesses)
    assert 1 <= len(text.splitlines()) <= 3, "at most the TOP (3) best guesses, and always the first"
    assert reply.weighted_length(text) <= 280


@pytest.mark.todo("04.5")
@pytest.mark.parametrize("name, weight, lines", [(NAME_88, 280, 3), (NAME_89, 281, 2)], ids=["exactly 280", "281"])
def test_reply_text_fills_the_post_to_exactly_280_newlines_counted(reply, name, weight, lines):
    text = reply.reply_text([FULL, FULL, guess(name)])
    assert len(text.splitlines()) == lines, (
        f"three lines weighing {weight} with their two newlines gave {len(text.splitlines())} line(s): X counts "
        "the newlines too, and a post may weigh exactly MAX_WEIGHT (280) but no more"
    )


@pytest.mark.todo("04.5")
def test_no_line_is_added_after_one_that_did_not_fit(reply, monkeypatch):
    monkeypatch.setattr(reply, "TOP", 4)  # a shorter fourth line could fit where the third did not
    text = reply.reply_text([FULL, FULL, guess(NAME_89), guess("Oslo", 0.05, "NO")])
    assert [line.split(".")[0] for line in text.splitlines()] == ["📍 1", "📍 2"], (
        f"the reply reads {text.splitlines()}: at the first line that does not fit, stop (break), or a later line "
        "skips a rank; and take the top TOP guesses"
    )


@pytest.mark.todo("04.5")
@pytest.mark.parametrize("probability, chance", [(0.436, "44%"), (0.996, "100%"), (0.007, "1%"), (0.004, "<1%")])
def test_reply_text_rounds_the_percentage(reply, probability, chance):
    line = reply.reply_text([guess("Tokyo", probability)])
    assert line == f"📍 1. Tokyo 🇯🇵 {chance}", (
        f"a probability of {probability} reads {line.split()[-1]!r}, not {chance!r}: round(100 * probability) "
        "percent, and '<1%' only when that rounds to 0"
    )


def test_weighted_length_counts_emoji_and_cjk_double(reply):
    assert reply.weighted_length("abc") == 3
    assert reply.weighted_length("東京") == 4
    assert reply.weighted_length("📍") == 2


@pytest.mark.parametrize(
    "name, plain",
    [("Marseille", "Marseille"), ("St. Louis", "St. Louis"), ("Côte-d’Ivoire (Abidjan)", "Côte-d’Ivoire (Abidjan)"),
     ("東京", "東京"), ("@victim https://evil.example/x", "victim https evil. example x"), ("＠victim", "victim"),
     ("evil.com", "evil. com"), ("#tag $CASH", "tag CASH"), ("Par\x00is\u202e\n@x", "Par is x")],
    ids=["a name", "a dot then a space", "accents, apostrophe, brackets", "CJK", "a mention and a link",
         "a fullwidth mention", "a bare domain", "a hashtag and a cashtag", "control characters"],
)
def test_a_place_name_keeps_its_words_and_loses_mentions_tags_and_links(reply, name, plain):
    assert reply.plain(name) == plain


# Place names as reverse geocoding and outside answers may hold them: long, in other scripts, and some whose NFC form
# (what X weighs) is longer than the text as written.
NAMES = [
    ("a long Welsh name", "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch", "GB"),
    ("Tokyo in kanji, at length", "東京" * 30, "JP"),
    ("Bangkok's full Thai name", "กรุงเทพมหานคร อมรรัตนโกสินทร์ มหินทรายุธยา มหาดิลกภพ", "TH"),
    ("Devanagari letters NFC spells as two", "\u0958\u0959\u095a" * 15, "IN"),
    ("Hebrew presentation forms NFC spells as three", "\ufb2c" * 45, "IL"),
    ("Gurmukhi letters NFC spells as two", "\u0a59\u0a5a\u0a5b" * 15, "IN"),
    ("Bengali letters NFC spells as two", "\u09dc\u09dd\u09df" * 15, "BD"),
    ("Cyrillic and Arabic", "Петропавловск-Камчатский القاهرة" * 2, "RU"),
    ("domains X would count as 23-weight links", "t.co x.co", "US"),
    ("emoji and flags inside the name", "Paris 🇫🇷🏳️‍🌈 👍🏽", "FR"),
]


@pytest.mark.todo("04.5")
@pytest.mark.parametrize("row", NAMES, ids=[row[0] for row in NAMES])
def test_every_reply_weighs_at_most_280_by_x_own_count(reply, row):
    """X's own count (twitter-text: NFC first, weights per Unicode range, an emoji 2, a link 23)."""
    what, name, country_code = row
    guesses = [guess(name, probability, country_code) for probability in (0.43, 0.21, 0.11)]
    text = reply.reply_text(guesses)
    import twitter_text  # imported here: a quarter of a second, for the tests of TODO 04.5 only

    weight = twitter_text.parse_tweet(text).weightedLength
    assert text.startswith("📍 1. ") and weight <= 280, (
        f"with {what}, X weighs the reply {weight} (the bot counted {reply.weighted_length(text)}): count each line "
        "with weighted_length (X's weights, after NFC normalisation) and stop at the first that does not fit"
    )

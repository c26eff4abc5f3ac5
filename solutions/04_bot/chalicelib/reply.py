"""The reply's text: one "📍 1. Place, Region 🇫🇷 43%" line per guess, best first, within one post."""
import re
import unicodedata

PIN = "📍"
TOP = 3
MAX_WEIGHT = 280  # X's limit for a post
MAX_NAME = 40  # characters of a place name before it is cut
NAME_PUNCTUATION = " -'’,.()"  # what real place names use besides letters, marks and digits


def weighted_length(text):
    """The length X counts, never less: most Latin text weighs 1 a character, everything else (CJK, emoji) 2, each
    character of the text's NFC form, as X weighs it: "क़" (U+0958) is two characters there."""
    light = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
    as_x_reads_it = unicodedata.normalize("NFC", text)
    return sum(1 if any(low <= ord(c) <= high for low, high in light) else 2 for c in as_x_reads_it)


def flag(country_code):
    """The flag emoji of a two-letter country code ("FR" -> 🇫🇷), or "" for anything else."""
    # BEGIN SOLUTION 04.4
    code = country_code if isinstance(country_code, str) else ""
    if len(code) != 2 or not (code.isascii() and code.isalpha()):
        return ""
    # A flag is the code's two letters written as regional indicator symbols: "A" (65) -> U+1F1E6.
    return "".join(chr(ord(letter) + 127397) for letter in code.upper())
    # END SOLUTION


def plain(text):
    """`text` as harmless words: letters, digits, spaces and -'’,.() only, so that no @ (or ＠) mentions anyone, no
    # or $ tags, no control character hides anything, and no "evil.example" or "https://..." becomes a link."""
    kept = "".join(c if c in NAME_PUNCTUATION or unicodedata.category(c)[0] in "LMN" else " " for c in text)
    kept = re.sub(r"\.(?=\w)", ". ", kept)  # X links any word.word it knows as a domain: "evil. example" is none
    return " ".join(kept.split())


def place_name(guess):
    """"Place, Region" (whichever of the two is known, as plain words, cut to MAX_NAME), else the coordinates."""
    parts = (plain(guess.get(key) or "") for key in ("place", "admin1"))
    name = ", ".join(part for part in parts if part)
    if not name:
        return f"{guess['lat']:.2f}, {guess['lng']:.2f}"
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


def reply_text(predictions):
    """The top guesses, one line each ("📍 1. Marseille, Provence 🇫🇷 43%"), as many as fit in MAX_WEIGHT."""
    # BEGIN SOLUTION 04.5
    lines = []
    for rank, guess in enumerate(predictions[:TOP], start=1):
        percent = round(100 * guess["probability"])
        chance = f"{percent}%" if percent else "<1%"
        line = " ".join(filter(None, [f"{PIN} {rank}. {place_name(guess)}", flag(guess.get("country_code")), chance]))
        if weighted_length("\n".join(lines + [line])) > MAX_WEIGHT:
            break
        lines.append(line)
    return "\n".join(lines)
    # END SOLUTION

"""The one kind of error prepare.py reports as a plain sentence: bad input that the user can fix."""


class BadInput(Exception):
    """Something the user gave (a flag, a folder, a file, a bucket) cannot work; the message says what to do."""

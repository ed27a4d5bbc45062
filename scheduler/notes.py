"""Free-text notes given on the command line (``alerts ack --note``, ``record --note``)."""

from __future__ import annotations

import unicodedata

from scheduler.errors import ConfigError

NOTE_LIMIT = 2000


def note_problem(text: str) -> str | None:
    """Why ``text`` cannot be a note: too long, or a control character other than a line
    break (SPEC "Import rules": a note may hold line breaks, no other control characters)."""
    if len(text) > NOTE_LIMIT:
        return f"is longer than {NOTE_LIMIT} characters"
    for char in text:
        if char in "\r\n":
            continue
        if unicodedata.category(char) == "Cc":
            return f"holds the control character U+{ord(char):04X}"
    return None


def check_note(text: str, option: str) -> str | None:
    """The note as given (``None`` when empty); ``ConfigError`` naming ``option`` if bad."""
    problem = note_problem(text)
    if problem is not None:
        raise ConfigError(f"{option} {problem}")
    return text or None

"""Cell parsers: text in, a typed value out, or a ``BadValue`` saying what is wrong."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RISKS = ("low", "medium", "high")
ABSENCE_KINDS = ("leave", "sickness", "training", "other")
_WINDOW = re.compile(
    r"(?i)^(mon|tue|wed|thu|fri|sat|sun)\s+([0-9]{2}):([0-9]{2})\s*-\s*([0-9]{2}):([0-9]{2})$"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INTEGER = re.compile(r"[+-]?[0-9]{1,9}")
_DECIMAL = re.compile(r"[+-]?([0-9]{1,12}(\.[0-9]{0,12})?|\.[0-9]{1,12})")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,63}$")


class BadValue(ValueError):
    """A cell's text cannot be read as what its column needs."""


# Format characters that are not allowed: every one but the zero-width (non-)joiners,
# which Persian and Indic names and emoji sequences need. Among them the bidi controls
# (U+202E RIGHT-TO-LEFT OVERRIDE reverses what a terminal or calendar shows after it).
_JOINERS = frozenset("\u200c\u200d")
INITIALS_MAX = 10


def _forbidden(char: str, *, line_breaks: bool) -> bool:
    if line_breaks and char in "\r\n":
        return False
    category = unicodedata.category(char)
    if category in ("Cc", "Zl", "Zp", "Cs"):
        return True
    return category == "Cf" and char not in _JOINERS


def describe_char(char: str) -> str:
    """``U+001B (ESC)``-style, for messages: the character itself may not be printable."""
    name = unicodedata.name(char, "") or {
        "\n": "LINE FEED",
        "\r": "CARRIAGE RETURN",
        "\t": "TAB",
        "\x1b": "ESCAPE",
        "\x7f": "DELETE",
    }.get(char, "a control character")
    return f"U+{ord(char):04X} ({name})"


def single_line(text: str) -> str:
    """Text without line breaks or control characters (every text field but ``note``)."""
    for char in text:
        if _forbidden(char, line_breaks=False):
            kind = "a line break" if char in "\r\n\u2028\u2029" else "a control character"
            raise BadValue(
                f"contains {kind}, {describe_char(char)}; a single line of plain text is needed"
            )
    return text


def note_text(text: str) -> str:
    """A note: line breaks allowed, no other control characters."""
    for char in text:
        if _forbidden(char, line_breaks=True):
            raise BadValue(f"contains a control character, {describe_char(char)}")
    return text


def initials(text: str) -> str:
    """What a worker's calendar shows of a child: at most 10 printable characters."""
    single_line(text)
    if len(text) > INITIALS_MAX:
        raise BadValue(
            f"is {len(text)} characters long; at most {INITIALS_MAX} are shown in calendars"
        )
    if not text.isprintable():
        odd = next(c for c in text if not c.isprintable())
        raise BadValue(f"must be printable characters only, not {describe_char(odd)}")
    return text


@dataclass(frozen=True, slots=True)
class AvailabilityEntry:
    """One ``Mon 09:00-17:00`` entry of an availability cell, in minutes after midnight:
    the shape ``worker_windows`` and ``child_windows`` store. (``scheduler.mapping`` turns
    stored rows into ``solver.Window``; this module stays clear of ``solver``, whose
    import loads OR-Tools, so that ``keyworker import`` starts without it.)"""

    weekday: int  # 0 = Monday
    start_minute: int
    end_minute: int


def ref(text: str) -> str:
    if not _REF.match(text):
        raise BadValue("must be a reference of letters, digits and - _ . / (at most 64 characters)")
    return text


# Dates a team's records can hold. 9999-12-31 ("no end" in other systems) is refused:
# an empty cell says open-ended, and date arithmetic near date.max overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def iso_date(text: str) -> date:
    if not _DATE.fullmatch(text):
        raise BadValue("must be a date written YYYY-MM-DD")
    try:
        value = date.fromisoformat(text)
    except ValueError as exc:
        raise BadValue(f"is not a real date ({exc})") from exc
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise BadValue(
            f"must be a date from {FIRST_YEAR} to {LAST_YEAR} (leave an end date empty for "
            "open-ended)"
        )
    return value


def integer(text: str, low: int, high: int | None = None) -> int:
    if not _INTEGER.fullmatch(text):
        raise BadValue("must be a whole number")
    value = int(text)
    if value < low or (high is not None and value > high):
        span = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise BadValue(f"must be a whole number {span}")
    return value


def hours(text: str) -> float:
    if not _DECIMAL.fullmatch(text):
        raise BadValue("must be a number of hours, e.g. 22.5")
    value = float(text)
    if not 0 < value <= 60:
        raise BadValue("must be more than 0 and at most 60 hours")
    return value


def coordinate(text: str, limit: float) -> float:
    if not _DECIMAL.fullmatch(text):
        raise BadValue("must be decimal degrees, e.g. 51.5072")
    value = float(text)
    if not -limit <= value <= limit:
        raise BadValue(f"must be between -{limit:g} and {limit:g} degrees")
    return value


def tags(text: str) -> list[str]:
    """A ``;`` list compared case-insensitively: lower-cased, blanks dropped, order kept."""
    seen: list[str] = []
    for part in text.split(";"):
        item = part.strip().lower()
        if item and item not in seen:
            seen.append(item)
    return seen


def refs(text: str) -> list[str]:
    out: list[str] = []
    for part in text.split(";"):
        item = part.strip()
        if item:
            ref(item)
            if item not in out:
                out.append(item)
    return out


def choice(text: str, options: tuple[str, ...]) -> str:
    value = text.lower()
    if value not in options:
        raise BadValue(f"must be one of {', '.join(options)}")
    return value


def email(text: str) -> str:
    if len(text) > 320:
        raise BadValue("is longer than 320 characters")
    if not re.fullmatch(r"[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+", text):
        raise BadValue("must be an email address")
    return text


@functools.lru_cache(maxsize=4096)
def availability(text: str) -> tuple[AvailabilityEntry, ...]:
    """``Mon 09:00-17:00;Tue 12:00-20:00``; touching or overlapping windows are joined.

    Cached: a team's files repeat a few patterns thousands of times.
    """
    windows: list[AvailabilityEntry] = []
    for part in text.split(";"):
        entry = part.strip()
        if not entry:
            continue
        match = _WINDOW.match(entry)
        if not match:
            raise BadValue(f"entry {entry!r} must look like 'Mon 09:00-17:00'")
        day = DAYS.index(match.group(1).lower())
        sh, sm, eh, em = (int(match.group(i)) for i in range(2, 6))
        if sh > 23 or eh > 23 or sm > 59 or em > 59:
            raise BadValue(f"entry {entry!r} has a time outside 00:00-23:59")
        start, end = sh * 60 + sm, eh * 60 + em
        if start >= end:
            raise BadValue(f"entry {entry!r} must start before it ends, within one day")
        windows.append(AvailabilityEntry(day, start, end))
    if not windows:
        raise BadValue("has no 'Day HH:MM-HH:MM' entries")
    return tuple(join_windows(windows))


def join_windows(windows: list[AvailabilityEntry]) -> list[AvailabilityEntry]:
    joined: list[AvailabilityEntry] = []
    for window in sorted(windows, key=lambda w: (w.weekday, w.start_minute)):
        last = joined[-1] if joined else None
        if last and last.weekday == window.weekday and window.start_minute <= last.end_minute:
            joined[-1] = AvailabilityEntry(
                last.weekday, last.start_minute, max(last.end_minute, window.end_minute)
            )
        else:
            joined.append(window)
    return joined


DEFAULT_WORKER_WINDOWS = tuple(AvailabilityEntry(day, 9 * 60, 17 * 60) for day in range(5))

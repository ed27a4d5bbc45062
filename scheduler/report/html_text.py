"""Text on the report's page: escaping, refs and dates that never break, numbers.

Every piece of stored text (refs, names, team names) goes through :func:`esc`, or
:func:`cell_html` for a table cell; :class:`Markup` is HTML built here from escaped
parts and is not escaped again.
"""

from __future__ import annotations

from datetime import date
from html import escape


class Markup(str):
    """Text that is already HTML (built here from escaped parts): not escaped again."""

    __slots__ = ()


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_label(day: date) -> str:
    """``Dec 2026``: the month in words and the full year, whatever the locale."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def esc(text: str) -> str:
    return escape(text, quote=True)


def cell_html(value: object) -> str:
    return value if isinstance(value, Markup) else esc(_text(value))


def ref_html(text: str) -> Markup:
    """A child's or worker's ref: never broken over two lines."""
    return Markup(f'<span class="ref">{esc(text)}</span>')


def date_html(day: date) -> Markup:
    """A date: never broken over two lines."""
    return Markup(f'<span class="date">{esc(day.isoformat())}</span>')


def clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _text(value: object) -> str:
    return "-" if value is None else str(value)


def count_text(value: int | None) -> str:
    return "n/a" if value is None else str(value)


def days_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def ratio_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def pct_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} %"


def wishes_text(honoured: int, stated: int, pct: float | None) -> str:
    return "n/a" if pct is None else f"{honoured}/{stated} ({pct:.0f} %)"

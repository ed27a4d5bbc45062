"""The report period: the local dates ``as_of - months`` .. ``as_of``, and who is in it.

(The report's text and JSON call it the *window*; in code it is a ``ReportPeriod``, so
that it is not taken for ``solver.Window``, a weekly availability window.)
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from scheduler.report.records import KeyRecord, PlanRecord


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    """The dates a continuity report covers, both inclusive, and what it was asked."""

    start: date
    end: date  # the as-of date, inclusive
    as_of: datetime
    months: int
    timezone: str


def report_period(as_of: datetime, zone: ZoneInfo, months: int) -> ReportPeriod:
    if as_of.tzinfo is None:
        raise ValueError("as_of must be an aware datetime")
    if months < 1:
        raise ValueError("months must be at least 1")
    end = as_of.astimezone(zone).date()
    return ReportPeriod(_months_before(end, months), end, as_of, months, zone.key)


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def in_scope(plans: Sequence[PlanRecord], rows: Sequence[KeyRecord], period: ReportPeriod) -> bool:
    """A plan in force, or a key-worker relationship, on some day of the window."""
    spans = [(p.start_date, p.end_date) for p in plans]
    spans += [(r.start_date, r.end_date) for r in rows]
    return any(overlaps(s, e, period.start, period.end) for s, e in spans)


def overlaps(start: date, end: date | None, first: date, last: date) -> bool:
    """Whether ``start..end`` (open-ended if ``end`` is None) meets ``first..last``."""
    return start <= last and (end is None or end >= first)

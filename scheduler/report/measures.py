"""The continuity measures, each a small pure function: the key worker on a day, the
relationship's start, key-worker changes, UPC, COC, the longest gap and percentages.

``scheduler.report`` defines each of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from scheduler.report.records import KeyRecord


@dataclass(frozen=True, slots=True)
class Gap:
    """Days without a key-worker session: from ``start`` (the last contact, or the start
    of contact) to ``end`` (the next contact, or the as-of date)."""

    start: date
    end: date
    days: int


def key_worker_on(rows: Sequence[KeyRecord], day: date) -> KeyRecord | None:
    """The key-worker row in force on ``day`` (the latest begun, if rows overlap)."""
    found: KeyRecord | None = None
    for r in rows:
        if r.start_date <= day and (r.end_date is None or r.end_date >= day):
            found = r
    return found


def relationship_since(rows: Sequence[KeyRecord], current: KeyRecord) -> date:
    """When ``current``'s relationship began, joining back-to-back rows of its worker."""
    since = current.start_date
    for r in sorted(rows, key=lambda r: r.start_date, reverse=True):
        if r.worker_id != current.worker_id or r.start_date > since:
            continue
        if r.end_date is None or r.end_date >= since - timedelta(days=1):
            since = min(since, r.start_date)
    return since


def count_changes(rows: Sequence[KeyRecord], start: date, end: date) -> int:
    """Key rows beginning in ``start..end`` that follow a row naming a different worker."""
    changes = 0
    previous: KeyRecord | None = None
    for r in rows:
        if (
            previous is not None
            and previous.worker_id != r.worker_id
            and start <= r.start_date <= end
        ):
            changes += 1
        previous = r
    return changes


def usual_provider_share(counts: Iterable[int]) -> float | None:
    """UPC: the most sessions one provider delivered over all sessions; None for none."""
    values = [n for n in counts if n > 0]
    return max(values) / sum(values) if values else None


def continuity_index(counts: Iterable[int]) -> float | None:
    """The Bice-Boxerman COC index of per-worker session counts; None for fewer than 2."""
    values = [n for n in counts if n > 0]
    total = sum(values)
    if total < 2:
        return None
    return (sum(n * n for n in values) - total) / (total * (total - 1))


def longest_gap(contacts: Iterable[date], first: date, last: date) -> Gap | None:
    """The longest stretch between consecutive points of ``first``, the contact days and
    ``last`` (the earliest such stretch on a tie); None when ``first`` is after ``last``."""
    if first > last:
        return None
    points = sorted({first, last, *(d for d in contacts if first <= d <= last)})
    if len(points) == 1:
        return Gap(first, last, 0)
    best = Gap(points[0], points[1], (points[1] - points[0]).days)
    for a, b in pairwise(points[1:]):
        if (b - a).days > best.days:
            best = Gap(a, b, (b - a).days)
    return best


def pct(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in %, None for an empty whole (shown as n/a)."""
    return 100.0 * part / whole if whole else None

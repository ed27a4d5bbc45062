"""Local wall-clock time: availability stretches, 15-minute slots, DST-correct datetimes.

Wall-clock times are minutes after local midnight. A session starts on a
15-minute boundary of local time and lasts ``session_minutes`` of *elapsed* time,
so on clock-change nights its wall-clock end differs from start + length.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from solver.instance import Window

UTC = dt.UTC
MINUTES_PER_DAY = 24 * 60
ANY_TIME: tuple[tuple[int, int], ...] = ((0, MINUTES_PER_DAY - 1),)
EARTH_RADIUS_KM = 6371.0


def minute_of(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def stretches(windows: Iterable[Window], weekday: int) -> tuple[tuple[int, int], ...]:
    """The union of the windows on ``weekday``, touching windows joined, as minute pairs."""
    spans = sorted((minute_of(w.start), minute_of(w.end)) for w in windows if w.weekday == weekday)
    merged: list[list[int]] = []
    for start, end in spans:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((a, b) for a, b in merged)


def child_stretches(windows: tuple[Window, ...], weekday: int) -> tuple[tuple[int, int], ...]:
    """A child's stretches; no windows at all means any time of day."""
    if not windows:
        return ANY_TIME
    return stretches(windows, weekday)


def intersect(
    a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]
) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a0, a1 in a:
        for b0, b1 in b:
            lo, hi = max(a0, b0), min(a1, b1)
            if lo < hi:
                out.append((lo, hi))
    return sorted(out)


def local_datetime(day: dt.date, minute: int, tz: ZoneInfo) -> dt.datetime | None:
    """The aware datetime of a local wall-clock time, or None when the clock skips it."""
    naive = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
    aware = naive.replace(tzinfo=tz)
    back = aware.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != naive:
        return None
    return aware.astimezone(tz)


def wall_minute(moment: dt.datetime, tz: ZoneInfo) -> tuple[dt.date, int]:
    local = moment.astimezone(tz)
    return local.date(), local.hour * 60 + local.minute


# Pure functions of a few small values, called hundreds of thousands of times per
# plan with the same arguments (every child and worker shares the days and the
# 15-minute grid): memoised, bounded.
@functools.lru_cache(maxsize=1 << 16)
def place_session(
    day: dt.date, start_minute: int, minutes: int, stretch: tuple[int, int], tz: ZoneInfo
) -> tuple[dt.datetime, dt.datetime] | None:
    """Start and end (in UTC) of a session at ``start_minute`` if it lies inside ``stretch``."""
    if start_minute % 15 or start_minute < stretch[0]:
        return None
    local = local_datetime(day, start_minute, tz)
    if local is None:
        return None
    start = local.astimezone(UTC)
    end = start + dt.timedelta(minutes=minutes)
    end_day, end_minute = wall_minute(end, tz)
    if end_day != day or end_minute > stretch[1] or end_minute < start_minute:
        return None
    return start, end


def lies_within(
    start: dt.datetime, end: dt.datetime, spans: tuple[tuple[int, int], ...], tz: ZoneInfo
) -> bool:
    """True when the wall-clock start and end lie inside one stretch of the same day."""
    start_day, start_minute = wall_minute(start, tz)
    end_day, end_minute = wall_minute(end, tz)
    if start_day != end_day:
        return False
    return any(a <= start_minute and end_minute <= b for a, b in spans)


@functools.lru_cache(maxsize=1 << 16)
def travel_minutes(
    lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None
) -> int:
    """SPEC travel time: ceil(2.6 * km) rounded up to 15, at least 15; 15 without coordinates."""
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return 15
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
    minutes = math.ceil(2.6 * km)
    return max(15, -(-minutes // 15) * 15)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def elapsed_minutes(a: dt.datetime, b: dt.datetime) -> int:
    """Elapsed minutes from ``a`` to ``b`` (in UTC: same-zone subtraction is wall-clock)."""
    return int((b.astimezone(UTC) - a.astimezone(UTC)).total_seconds() // 60)


def utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(UTC)


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]

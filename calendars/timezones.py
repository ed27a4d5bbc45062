"""VTIMEZONE components as one yearly rule pair, the shape every client understands.

icalendar's ``Timezone.from_tzid`` lists every transition as an ``RDATE``; Outlook
reduces a zone to one standard/daylight rule pair and shifts events when it meets a
list of dates. So the zone's transitions are read from ``zoneinfo`` for the years the
feed needs, and when every year follows the same rule (month, weekday, week of the
month, wall-clock time) the zone is written as ``RRULE:FREQ=YEARLY`` observances.
A zone without daylight saving time gets one ``STANDARD`` observance. Only a zone
whose rule changed inside those years falls back to icalendar's dated form.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import (  # type: ignore[import-untyped,unused-ignore]
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vRecur,
)

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class Transition:
    """One change of UTC offset; ``local`` is the wall-clock time before the change."""

    local: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool


def transitions(zone: ZoneInfo, year: int) -> list[Transition]:
    """Every offset change of ``zone`` during ``year`` (UTC), found by bisection."""
    found: list[Transition] = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    before = _offset(zone, day)
    while day < end:
        nxt = day + timedelta(days=1)
        after = _offset(zone, nxt)
        if after != before:
            low, high = day, nxt  # offset(low) == before, offset(high) != before
            while high - low > timedelta(minutes=1):
                mid = low + (high - low) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= low:
                    mid = low + timedelta(minutes=1)
                if _offset(zone, mid) == before:
                    low = mid
                else:
                    high = mid
            at = high.astimezone(zone)
            found.append(
                Transition(
                    local=(high + before).replace(tzinfo=None),
                    offset_from=before,
                    offset_to=_offset(zone, high),
                    name=at.tzname() or "",
                    is_dst=bool(at.dst()),
                )
            )
        before = after
        day = nxt
    return found


def _offset(zone: ZoneInfo, at: datetime) -> timedelta:
    offset = at.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _week_choices(day: date) -> set[int]:
    """The RRULE week numbers that name ``day``'s weekday in its month: n-th and maybe last."""
    choices = {(day.day - 1) // 7 + 1}
    if day.day + 7 > calendar.monthrange(day.year, day.month)[1]:
        choices.add(-1)
    return choices


@lru_cache(maxsize=64)
def vtimezone(key: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for ``key`` valid for events from ``first_year`` to ``last_year``.

    The rule is checked over one year either side, so clients that look a little
    beyond the events still see the right offsets.
    """
    zone = ZoneInfo(key)
    years = range(first_year - 1, last_year + 2)
    per_year = [transitions(zone, year) for year in years]
    component = Timezone()
    component.add("tzid", key)
    if not any(per_year):
        offset = _offset(zone, datetime(first_year, 1, 1, tzinfo=UTC))
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))  # noqa: DTZ001 - local wall-clock time
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", datetime(first_year, 1, 1, tzinfo=zone).tzname() or key)
        component.add_component(standard)
        return component
    rules = _yearly_rules(per_year)
    if rules is None:
        return Timezone.from_tzid(
            key, first_date=date(years[0], 1, 1), last_date=date(years[-1] + 1, 1, 1)
        )
    for first, week in rules:
        observance = TimezoneDaylight() if first.is_dst else TimezoneStandard()
        observance.add("dtstart", first.local)
        observance.add(
            "rrule",
            vRecur(
                freq="YEARLY",
                bymonth=first.local.month,
                byday=f"{week}{_WEEKDAYS[first.local.weekday()]}",
            ),
        )
        observance.add("tzoffsetfrom", first.offset_from)
        observance.add("tzoffsetto", first.offset_to)
        observance.add("tzname", first.name)
        component.add_component(observance)
    return component


def _yearly_rules(per_year: list[list[Transition]]) -> list[tuple[Transition, int]] | None:
    """(first transition, week number) per observance, or None when years disagree."""
    count = len(per_year[0])
    if any(len(year) != count for year in per_year):
        return None
    rules: list[tuple[Transition, int]] = []
    for index in range(count):
        same = [year[index] for year in per_year]
        first = same[0]
        weeks = set.intersection(*(_week_choices(t.local.date()) for t in same))
        if not weeks or any(
            (t.local.month, t.local.weekday(), t.local.time())
            != (first.local.month, first.local.weekday(), first.local.time())
            or (t.offset_from, t.offset_to, t.name, t.is_dst)
            != (first.offset_from, first.offset_to, first.name, first.is_dst)
            for t in same
        ):
            return None
        rules.append((first, -1 if -1 in weeks else min(weeks)))
    return rules

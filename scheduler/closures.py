"""Closure days: the configured region's bank holidays and closures.csv, per team.

For planning a closed day is what an absence is for every worker of the team (SPEC
rule 2, and rule 6's d): ``scheduler.mapping`` hands each closed day to the solver as a
``solver.Absence`` whose ``closure`` says why, so the solver, ``validate`` and the
common-sense checks honour it without a concept of their own, and a message reads "the
team is closed" rather than "W007 is absent". Periods and ``max_gap_days`` do not
change: a gap over Christmas that breaks the limit is still a ``CONTACT_GAP``.

Bank holidays are never typed in here: they come from the ``holidays`` library for a
region ``CC`` or ``CC-SUB`` (ISO 3166 country, the library's subdivision code). Without
``[planning] bank_holidays`` the country is the time zone's in the tz database's
``zone.tab``; in the United Kingdom the subdivision is England (``GB-ENG``), whose bank
holidays England and Wales share.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.errors import ConfigError
from scheduler.models import Closure

# A country whose time zone alone cannot tell the region: the subdivision to take.
# England and Wales share their bank holidays; Scotland and Northern Ireland set
# ``bank_holidays = "GB-SCT"`` / ``"GB-NIR"``.
DEFAULT_SUBDIVISION = {"GB": "ENG"}
BANK_HOLIDAY = "bank holiday"


@dataclass(frozen=True, slots=True)
class ClosedSpan:
    """Days a team (``team`` None: every team) is closed, first and last inclusive."""

    team: str | None
    start: date
    end: date
    why: str  # "bank holiday: Christmas Day", or the closure's note

    def days(self) -> Iterable[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)

    def closes(self, team: str) -> bool:
        return self.team is None or self.team == team


@functools.cache
def _zone_countries() -> dict[str, str]:
    """Time zone -> ISO 3166 country code, from the tz database's own ``zone.tab``."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coords, zone, *_ = line.split("\t")
            out[zone] = country
    return out


def bank_holiday_region(timezone: str, override: str | None) -> str:
    """``override`` checked, else the region of ``timezone``; raises ``ConfigError``."""
    supported = holidays.list_supported_countries()
    if override is not None:
        country, _, subdivision = override.strip().partition("-")
        country = country.upper()
        if country not in supported:
            raise ConfigError(
                f"planning.bank_holidays = {override!r} names no country the holidays "
                "library knows; use an ISO 3166 code such as 'GB-ENG'"
            )
        if subdivision and subdivision.upper() not in supported[country]:
            known = ", ".join(f"{country}-{s}" for s in supported[country][:12])
            raise ConfigError(
                f"planning.bank_holidays = {override!r}: {country} has no subdivision "
                f"{subdivision!r} (known: {known})"
            )
        return f"{country}-{subdivision.upper()}" if subdivision else country
    zone_country = _zone_countries().get(timezone)
    if zone_country is None or zone_country not in supported:
        raise ConfigError(
            f"planning.timezone = {timezone!r} names no country with known bank holidays; "
            "set planning.bank_holidays (e.g. 'GB-ENG') or "
            "planning.closed_on_bank_holidays = false"
        )
    default = DEFAULT_SUBDIVISION.get(zone_country)
    return f"{zone_country}-{default}" if default else zone_country


def bank_holidays(region: str, first: date, last: date) -> dict[date, str]:
    """The region's bank holidays from ``first`` to ``last``, with their names."""
    country, _, subdivision = region.partition("-")
    calendar = holidays.country_holidays(
        country, subdiv=subdivision or None, years=range(first.year, last.year + 1)
    )
    return {day: str(name) for day, name in sorted(calendar.items()) if first <= day <= last}


def closed_spans(session: Session, first: date, last: date, region: str | None) -> list[ClosedSpan]:
    """Every closure touching ``first``..``last``: closures.csv rows and, where
    ``region`` is given, its bank holidays (one day each, every team)."""
    rows = session.scalars(
        select(Closure)
        .where(Closure.start_date <= last, Closure.end_date >= first)
        .order_by(Closure.start_date, Closure.team, Closure.id)
    )
    # clipped to first..last, so a closure entered for years costs nothing per day
    spans = [
        ClosedSpan(
            c.team, max(c.start_date, first), min(c.end_date, last), c.note or "team closure"
        )
        for c in rows
    ]
    if region is not None:
        spans += [
            ClosedSpan(None, day, day, f"{BANK_HOLIDAY}: {name}")
            for day, name in bank_holidays(region, first, last).items()
        ]
    return sorted(spans, key=lambda s: (s.start, s.team or "", s.why))


def closed_days(spans: Iterable[ClosedSpan], team: str) -> dict[date, str]:
    """Day -> why, for the days ``spans`` close ``team`` (the first reason wins)."""
    out: dict[date, str] = {}
    for span in spans:
        if span.closes(team):
            for day in span.days():
                out.setdefault(day, span.why)
    return out


def describe(spans: Iterable[ClosedSpan], first: date, last: date) -> list[str]:
    """The closures that touch ``first``..``last``, as a manager reads them."""
    out = []
    for span in spans:
        if span.end < first or span.start > last:
            continue
        when = (
            _day(span.start)
            if span.start == span.end
            else (f"{_day(span.start)} to {_day(span.end)}")
        )
        out.append(f"{when} {span.why} ({span.team or 'every team'})")
    return out


def _day(day: date) -> str:
    return day.strftime("%a %d %b")

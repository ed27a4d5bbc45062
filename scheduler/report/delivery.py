"""Delivered sessions beside the current plan: what children got, and what is planned.

For each team (and all teams), over the report's children:

* **Delivered** (the window, before ``as_of``; ``scheduler.report`` defines *held*
  and *provider*):

  - *sessions delivered / required*: over the periods (SPEC "Period") that began
    on or after the start of the records (``History.records_start``) and the window
    start and ended before the as-of date, the required sessions and the held ones
    (at most the required number each), as the plan's metrics count them;
  - *share with the key worker*: held sessions whose provider was the key worker
    of the day, over all held sessions (sessions, not children, are weighed);
  - *UPC* and *COC*: the mean over children with held sessions (COC: with two or
    more);
  - *children with >= 1 and >= 2 key-worker changes*: in the window (the Stability
    Index figures);
  - *cancelled / did not attend*, and *held, no outcome recorded* (counted as held).

* **Plan** (the current plan's horizon, sessions from ``as_of`` on): the same
  figures over the planned sessions, with required/scheduled over the periods that
  end inside the horizon (held sessions of those periods counting), and changes
  over the 12 months up to the horizon end, the key-worker changes the plan has
  committed included: the Stability Index as it will stand if the plan holds.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from scheduler.report.measures import (
    continuity_index,
    count_changes,
    key_worker_on,
    pct,
    usual_provider_share,
)
from scheduler.report.period import ReportPeriod
from scheduler.report.records import ChildRecord, History, KeyRecord, PlanRecord, SessionRecord
from scheduler.report.teams import ALL_TEAMS


@dataclass(frozen=True, slots=True)
class Side:
    """One column of the comparison: delivered, or planned."""

    sessions: int  # held (delivered) or planned
    counted: int  # of the required, met (at most the required number per period)
    required: int
    with_key_worker: int
    upc_mean: float | None
    coc_mean: float | None
    children: int
    changed_once: int
    changed_twice: int

    @property
    def counted_pct(self) -> float | None:
        return pct(self.counted, self.required)

    @property
    def key_worker_pct(self) -> float | None:
        return pct(self.with_key_worker, self.sessions)

    @property
    def changed_once_pct(self) -> float | None:
        return pct(self.changed_once, self.children)

    @property
    def changed_twice_pct(self) -> float | None:
        return pct(self.changed_twice, self.children)


@dataclass(frozen=True, slots=True)
class DeliveryFigures:
    team: str
    delivered: Side
    planned: Side | None  # None without a current plan
    horizon: tuple[date, date] | None
    missed: int  # recorded cancelled or did-not-attend
    unconfirmed: int  # held by default: no outcome recorded


@dataclass(frozen=True, slots=True)
class _Child:
    held: int
    counted: int
    required: int
    with_key: int
    upc: float | None
    coc: float | None
    changes: int
    missed: int
    unconfirmed: int


def delivery_figures(
    history: History, period: ReportPeriod, zone: ZoneInfo, children: Sequence[ChildRecord]
) -> tuple[DeliveryFigures, ...]:
    plans: dict[int, list[PlanRecord]] = defaultdict(list)
    for p in history.plans:
        plans[p.child_id].append(p)
    rows: dict[int, list[KeyRecord]] = defaultdict(list)
    for k in sorted(history.key_rows, key=lambda r: (r.start_date, r.id)):
        rows[k.child_id].append(k)
    sessions: dict[int, list[SessionRecord]] = defaultdict(list)
    for s in history.sessions:
        sessions[s.child_id].append(s)
    begin = max(period.start, history.records_start or period.end)
    horizon = history.horizon
    past: dict[str, list[_Child]] = defaultdict(list)
    ahead: dict[str, list[_Child]] = defaultdict(list)
    for c in children:

        def day(s: SessionRecord) -> date:
            return s.start.astimezone(zone).date()

        mine = sessions[c.id]
        done = [s for s in mine if s.start < period.as_of and day(s) >= period.start]
        periods = [p for p in plan_periods(plans[c.id], period.end) if p[0] >= begin]
        periods = [p for p in periods if p[1] < period.end]
        past[c.team].append(_figures(done, periods, rows[c.id], (period.start, period.end), zone))
        if horizon is not None:
            hs, he = horizon
            coming = [s for s in mine if s.start >= period.as_of and day(s) <= he]
            owed = [p for p in plan_periods(plans[c.id], he) if hs <= p[1] <= he]
            counting = [s for s in mine if day(s) <= he and s.is_contact]
            ahead[c.team].append(
                _figures(
                    coming,
                    owed,
                    rows[c.id],
                    (year_before(he), he),
                    zone,
                    counting=counting,
                )
            )
    out = []
    teams = sorted(past)
    names = [*teams, ALL_TEAMS] if len(teams) > 1 else teams
    for name in names:
        mine_past = [x for t in teams if name in (t, ALL_TEAMS) for x in past[t]]
        mine_ahead = [x for t in teams if name in (t, ALL_TEAMS) for x in ahead[t]]
        out.append(
            DeliveryFigures(
                name,
                _side(mine_past),
                _side(mine_ahead) if horizon is not None else None,
                horizon,
                sum(x.missed for x in mine_past),
                sum(x.unconfirmed for x in mine_past),
            )
        )
    return tuple(out)


def _figures(
    sessions: list[SessionRecord],
    periods: list[tuple[date, date, int, PlanRecord]],
    rows: list[KeyRecord],
    changes_in: tuple[date, date],
    zone: ZoneInfo,
    *,
    counting: list[SessionRecord] | None = None,
) -> _Child:
    providers: Counter[int] = Counter()
    with_key = 0
    held = [s for s in sessions if s.is_contact]
    for s in held:
        key = key_worker_on(rows, s.start.astimezone(zone).date())
        if key is not None and key.worker_id in (s.worker_id, s.with_worker_id):
            providers[key.worker_id] += 1
            with_key += 1
        else:
            providers[s.worker_id] += 1
    counted = 0
    for first, last, required, plan in periods:
        n = sum(
            1
            for s in (counting if counting is not None else held)
            if first <= s.start.astimezone(zone).date() <= last
            and in_force(plan, s.start.astimezone(zone).date())
        )
        counted += min(n, required)
    return _Child(
        held=len(held),
        counted=counted,
        required=sum(p[2] for p in periods),
        with_key=with_key,
        upc=usual_provider_share(providers.values()),
        coc=continuity_index(providers.values()),
        changes=count_changes(rows, *changes_in),
        missed=sum(1 for s in sessions if not s.is_contact),
        unconfirmed=sum(1 for s in held if s.outcome is None),
    )


def _side(children: list[_Child]) -> Side:
    upcs = [c.upc for c in children if c.upc is not None]
    cocs = [c.coc for c in children if c.coc is not None]
    return Side(
        sessions=sum(c.held for c in children),
        counted=sum(c.counted for c in children),
        required=sum(c.required for c in children),
        with_key_worker=sum(c.with_key for c in children),
        upc_mean=sum(upcs) / len(upcs) if upcs else None,
        coc_mean=sum(cocs) / len(cocs) if cocs else None,
        children=len(children),
        changed_once=sum(1 for c in children if c.changes >= 1),
        changed_twice=sum(1 for c in children if c.changes >= 2),
    )


def plan_periods(plans: list[PlanRecord], until: date) -> list[tuple[date, date, int, PlanRecord]]:
    """(first day, last day, required, plan) of the plans' periods that begin by ``until``."""
    out = []
    for plan in plans:
        length = 7 * plan.every_weeks
        first = plan.start_date - timedelta(days=plan.start_date.weekday())
        stop = min(plan.end_date or until, until)
        while first <= stop:
            last = first + timedelta(days=length - 1)
            days = sum(1 for i in range(length) if in_force(plan, first + timedelta(days=i)))
            if days:
                required = math.ceil(Fraction(plan.sessions * days, length))
                out.append((first, last, required, plan))
            first = last + timedelta(days=1)
    return out


def in_force(plan: PlanRecord, day: date) -> bool:
    return plan.start_date <= day and (plan.end_date is None or day <= plan.end_date)


def year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def comparison_rows(figures: DeliveryFigures) -> list[tuple[str, str, str]]:
    """(figure, delivered, plan) as text, for the terminal and the page alike."""
    d, p = figures.delivered, figures.planned

    def both(text: Callable[[Side], str]) -> tuple[str, str]:
        return text(d), (text(p) if p is not None else "no plan")

    rows = [
        ("sessions delivered / required", *both(lambda s: _share(s.counted, s.required))),
        ("share with the key worker", *both(lambda s: _percent(s.key_worker_pct))),
        ("UPC (mean over children)", *both(lambda s: _ratio(s.upc_mean))),
        ("COC (mean over children)", *both(lambda s: _ratio(s.coc_mean))),
        (">= 1 key-worker change in 12 months",
         *both(lambda s: _share(s.changed_once, s.children))),
        (">= 2 key-worker changes in 12 months",
         *both(lambda s: _share(s.changed_twice, s.children))),
        ("sessions (held / planned)", *both(lambda s: str(s.sessions))),
    ]  # fmt: skip
    rows.append(("cancelled or did not attend", str(figures.missed), "-"))
    rows.append(("held, no outcome recorded", str(figures.unconfirmed), "-"))
    return rows


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({_percent(pct(part, whole))})" if whole else "n/a"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"

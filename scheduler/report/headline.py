"""The figures a director reads first, and the trend by month, for the top of the report.

Over the report's children (``scheduler.report`` chooses them; ``as_of`` date = the
report date):

* **Stable key worker**: children who have a key worker on the report date and no
  key-worker change (``scheduler.report`` "Key-worker changes") in the 12 months to
  it, always 12 months whatever ``--months`` says, out of all the report's children:
  the complement of the Stability Index.
* **Sessions delivered / required**: the delivered side of
  ``scheduler.report.delivery`` (periods of the window that ended before the report
  date, from the start of the records).
* **Open high alerts**: stored alerts of severity ``high`` with status ``open`` (not
  acknowledged, not resolved); with ``--team``, those naming a child or a worker of
  the team.
* **Coming changes and handovers**: in the 28 days after the report date, the
  key-worker changes the current plan has committed (a ``role="key"`` row starting
  on one of those days whose preceding row names a different worker) and the joint
  handover sessions (a second worker present) from ``as_of`` to the end of the 28th
  day.
* **Trend by month**, from the window's first month to the month of the current
  plan's horizon end: the required sessions and those met (at most the required
  number per period) over the periods whose last day falls in that month, the
  periods that ended before the report date counting held sessions (the delivered
  figure above, month by month) and those ending inside the current plan's horizon
  counting held and planned ones; and the sessions held (before ``as_of``) and
  planned (from ``as_of`` to the horizon end) that month, with the share whose
  provider is the key worker of the day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from scheduler.report.delivery import DeliveryFigures, in_force, plan_periods, year_before
from scheduler.report.measures import count_changes, key_worker_on, pct
from scheduler.report.period import ReportPeriod
from scheduler.report.records import (
    AlertRecord,
    ChildRecord,
    History,
    KeyRecord,
    PlanRecord,
    SessionRecord,
)

COMING_DAYS = 28


@dataclass(frozen=True, slots=True)
class ComingChange:
    child: str
    day: date  # the incoming key worker's first day
    outgoing: str | None
    incoming: str


@dataclass(frozen=True, slots=True)
class ComingHandover:
    child: str
    day: date
    worker: str
    with_worker: str


@dataclass(frozen=True, slots=True)
class TrendMonth:
    month: date  # its first day
    required: int
    met: int
    held: int
    held_with_key_worker: int
    planned: int
    planned_with_key_worker: int

    @property
    def met_pct(self) -> float | None:
        return pct(self.met, self.required)

    @property
    def key_worker_pct(self) -> float | None:
        return pct(self.held_with_key_worker + self.planned_with_key_worker,
                    self.held + self.planned)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Headline:
    report_date: date
    children: int
    stable: int  # with a key worker today and no change in the 12 months to today
    stable_since: date
    delivered_met: int
    delivered_required: int
    open_high_alerts: tuple[AlertRecord, ...]
    coming_from: date
    coming_to: date
    coming_changes: tuple[ComingChange, ...]
    coming_handovers: tuple[ComingHandover, ...]
    trend: tuple[TrendMonth, ...]

    @property
    def stable_pct(self) -> float | None:
        return pct(self.stable, self.children)

    @property
    def delivered_pct(self) -> float | None:
        return pct(self.delivered_met, self.delivered_required)


def headline_figures(
    history: History,
    period: ReportPeriod,
    zone: ZoneInfo,
    children: Sequence[ChildRecord],
    *,
    delivery: DeliveryFigures | None,
    team: str | None = None,
) -> Headline:
    refs = {w.id: w.ref for w in history.workers}
    rows: dict[int, list[KeyRecord]] = defaultdict(list)
    for k in sorted(history.key_rows, key=lambda r: (r.start_date, r.id)):
        rows[k.child_id].append(k)
    plans: dict[int, list[PlanRecord]] = defaultdict(list)
    for p in history.plans:
        plans[p.child_id].append(p)
    sessions: dict[int, list[SessionRecord]] = defaultdict(list)
    for s in history.sessions:
        sessions[s.child_id].append(s)

    today = period.end
    since = year_before(today)
    stable = sum(
        1
        for c in children
        if key_worker_on(rows[c.id], today) is not None
        and count_changes(rows[c.id], since, today) == 0
    )

    first, last = today + timedelta(days=1), today + timedelta(days=COMING_DAYS)
    changes: list[ComingChange] = []
    handovers: list[ComingHandover] = []
    for c in children:
        previous: KeyRecord | None = None
        for r in rows[c.id]:
            if (
                previous is not None
                and previous.worker_id != r.worker_id
                and first <= r.start_date <= last
            ):
                outgoing = refs.get(previous.worker_id)
                changes.append(ComingChange(c.ref, r.start_date, outgoing, refs[r.worker_id]))
            previous = r
        for s in sessions[c.id]:
            day = s.start.astimezone(zone).date()
            joint = s.with_worker_id is not None and s.is_contact
            if joint and s.start >= period.as_of and day <= last:
                helper = refs[s.with_worker_id] if s.with_worker_id is not None else "?"
                handovers.append(ComingHandover(c.ref, day, refs[s.worker_id], helper))
    changes.sort(key=lambda x: (x.day, x.child))
    handovers.sort(key=lambda x: (x.day, x.child))

    return Headline(
        report_date=today,
        children=len(children),
        stable=stable,
        stable_since=since,
        delivered_met=delivery.delivered.counted if delivery is not None else 0,
        delivered_required=delivery.delivered.required if delivery is not None else 0,
        open_high_alerts=_high_alerts(history, children, team),
        coming_from=first,
        coming_to=last,
        coming_changes=tuple(changes),
        coming_handovers=tuple(handovers),
        trend=monthly_trend(
            history, period, zone, children, plans=plans, rows=rows, sessions=sessions
        ),
    )


def _high_alerts(
    history: History, children: Sequence[ChildRecord], team: str | None
) -> tuple[AlertRecord, ...]:
    high = [a for a in history.alerts if a.severity == "high"]
    if team is None:
        return tuple(high)
    mine = {c.ref for c in history.children if c.team == team} | {c.ref for c in children}
    staff = {w.ref for w in history.workers if w.team == team}
    return tuple(a for a in high if a.child_ref in mine or a.worker_ref in staff)


def monthly_trend(
    history: History,
    period: ReportPeriod,
    zone: ZoneInfo,
    children: Sequence[ChildRecord],
    *,
    plans: dict[int, list[PlanRecord]],
    rows: dict[int, list[KeyRecord]],
    sessions: dict[int, list[SessionRecord]],
) -> tuple[TrendMonth, ...]:
    begin = max(period.start, history.records_start or period.end)
    horizon = history.horizon
    until = max(period.end, horizon[1]) if horizon is not None else period.end
    counts: dict[date, list[int]] = defaultdict(lambda: [0] * 6)

    def day(s: SessionRecord) -> date:
        return s.start.astimezone(zone).date()

    for c in children:
        mine = [s for s in sessions[c.id] if s.is_contact]
        for first, last, required, plan in plan_periods(plans[c.id], until):
            if first >= begin and last < period.end:
                counting = [s for s in mine if s.start < period.as_of]
            elif horizon is not None and horizon[0] <= last <= horizon[1]:
                counting = [s for s in mine if day(s) <= horizon[1]]
            else:
                continue
            n = sum(1 for s in counting if first <= day(s) <= last and in_force(plan, day(s)))
            slot = counts[last.replace(day=1)]
            slot[0] += required
            slot[1] += min(n, required)
        for s in mine:
            d = day(s)
            if s.start < period.as_of:
                if d < period.start:
                    continue
                index = 2
            elif horizon is not None and d <= horizon[1]:
                index = 4
            else:
                continue
            key = key_worker_on(rows[c.id], d)
            slot = counts[d.replace(day=1)]
            slot[index] += 1
            if key is not None and key.worker_id in (s.worker_id, s.with_worker_id):
                slot[index + 1] += 1
    out: list[TrendMonth] = []
    month = period.start.replace(day=1)
    while month <= until:
        out.append(TrendMonth(month, *counts.get(month, [0] * 6)))
        month = (month + timedelta(days=32)).replace(day=1)
    return tuple(out)

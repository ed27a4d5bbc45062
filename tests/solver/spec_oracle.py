"""SPEC's definitions recomputed from scratch, to judge a solver's plan.

Nothing here imports the solver's own period, finding or metric code: each
figure is read off SPEC.md ("Words used below", "Alerts", "Plan JSON") as
plainly as it can be written, so that a test comparing the two catches the
solver counting something its own way.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

from solver import Instance, Solution, SupportPlan
from solver.solution import PlannedSession


@dataclass(frozen=True, slots=True)
class SpecPeriod:
    plan: SupportPlan
    first: dt.date
    last: dt.date
    required: int


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def periods(instance: Instance, child: str) -> list[SpecPeriod]:
    """Every period of the child's plans that overlaps the horizon and has an in-force day."""
    hs, he = instance.horizon_start, instance.horizon_end
    out = []
    for plan in instance.plans:
        if plan.child != child:
            continue
        length = 7 * plan.every_weeks
        first = plan.start_date - dt.timedelta(days=plan.start_date.weekday())
        while first <= he and (plan.end_date is None or first <= plan.end_date):
            last = first + dt.timedelta(days=length - 1)
            in_force = [d for d in _days(first, last) if plan.in_force(d)]
            if last >= hs and in_force:
                required = math.ceil(Fraction(plan.sessions * len(in_force), length))
                out.append(SpecPeriod(plan, first, last, required))
            first += dt.timedelta(days=length)
    return sorted(out, key=lambda p: p.first)


def plan_on(instance: Instance, child: str, day: dt.date) -> SupportPlan | None:
    found = [p for p in instance.plans if p.child == child and p.in_force(day)]
    assert len(found) <= 1, f"{child} has overlapping plans on {day}"
    return found[0] if found else None


def in_force_days(instance: Instance, child: str) -> list[dt.date]:
    return [
        d
        for d in _days(instance.horizon_start, instance.horizon_end)
        if plan_on(instance, child, d) is not None
    ]


def planned_children(instance: Instance) -> list[str]:
    return sorted(c.ref for c in instance.children if in_force_days(instance, c.ref))


def local_day(instance: Instance, moment: dt.datetime) -> dt.date:
    return moment.astimezone(instance.tz).date()


def key_worker_on(instance: Instance, solution: Solution, child: str, day: dt.date) -> str | None:
    if day < instance.horizon_start:
        return next(c.current_key_worker for c in instance.children if c.ref == child)
    for a in solution.allocations:
        if a.child == child and a.start <= day <= a.end:
            return a.key_worker
    return None


def counted_sessions(instance: Instance, solution: Solution, period: SpecPeriod) -> int:
    """Sessions held or planned in ``period`` on days its plan is in force."""
    return sum(
        1
        for s in solution.sessions
        if s.child == period.plan.child
        and period.first <= local_day(instance, s.start) <= period.last
        and period.plan.in_force(local_day(instance, s.start))
    )


@dataclass(frozen=True, slots=True)
class SpecMetrics:
    children: int
    allocated: int
    keyworker_changes: int
    sessions_required: int
    sessions_scheduled: int
    sessions_with_key_worker_pct: float


def is_cover(instance: Instance, solution: Solution, s: PlannedSession) -> bool:
    key = key_worker_on(instance, solution, s.child, local_day(instance, s.start))
    return key is None or key not in (s.worker, s.with_worker)


def metrics(instance: Instance, solution: Solution) -> SpecMetrics:
    planned = planned_children(instance)
    allocated = 0
    for child in planned:
        if all(key_worker_on(instance, solution, child, d) for d in in_force_days(instance, child)):
            allocated += 1
    required = scheduled = 0
    for child in planned:
        for period in periods(instance, child):
            if period.last <= instance.horizon_end:
                required += period.required
                scheduled += min(period.required, counted_sessions(instance, solution, period))
    current = [
        s
        for s in solution.sessions
        if not s.start < instance.now
        and instance.horizon_start <= local_day(instance, s.start) <= instance.horizon_end
    ]
    pct = (
        100.0
        if not current
        else round(
            100.0 * sum(1 for s in current if not is_cover(instance, solution, s)) / len(current),
            1,
        )
    )
    return SpecMetrics(
        children=len(planned),
        allocated=allocated,
        keyworker_changes=sum(1 for f in solution.findings if f.kind == "KEYWORKER_CHANGE"),
        sessions_required=required,
        sessions_scheduled=scheduled,
        sessions_with_key_worker_pct=pct,
    )


def unmet_periods(instance: Instance, solution: Solution) -> set[tuple[str, dt.date, dt.date]]:
    """(child, first, last) of every period ending in the horizon short of its required."""
    out = set()
    for child in planned_children(instance):
        for period in periods(instance, child):
            if period.last <= instance.horizon_end and (
                counted_sessions(instance, solution, period) < period.required
            ):
                out.add((child, period.first, period.last))
    return out


def contact_gaps(instance: Instance, solution: Solution) -> set[tuple[str, dt.date, dt.date, int]]:
    """(child, first day without contact, last day without contact, limit) of each gap.

    The limit on a day is the ``max_gap_days`` of the plan in force that day; a stretch
    breaks it when, on some in-force day d of it (or on the day of the next contact),
    d minus the last contact exceeds that day's limit.
    """
    out = set()
    now_day = local_day(instance, instance.now)
    for child in planned_children(instance):
        kid = next(c for c in instance.children if c.ref == child)
        days = in_force_days(instance, child)
        keys = {kid.current_key_worker} - {None}
        keys.add(key_worker_on(instance, solution, child, days[0]))
        past = [
            local_day(instance, s.start)
            for s in solution.sessions
            if s.child == child
            and s.start < instance.now
            and (
                {s.worker, s.with_worker}
                & (keys | {key_worker_on(instance, solution, child, local_day(instance, s.start))})
                - {None}
            )
        ]
        if kid.last_key_worker_contact is not None:
            past.append(kid.last_key_worker_contact)
        past = [d for d in past if d <= now_day]
        first_in_force = min(p.start_date for p in instance.plans if p.child == child)
        anchor = max(past) if past else None
        start_ref = anchor if anchor is not None else max(first_in_force, instance.horizon_start)
        end_ref = min(instance.horizon_end, days[-1])
        contacts = sorted(
            {
                local_day(instance, s.start)
                for s in solution.sessions
                if s.child == child
                and local_day(instance, s.start) >= start_ref
                and (anchor is None or local_day(instance, s.start) > anchor)
                and local_day(instance, s.start) >= instance.horizon_start
                and key_worker_on(instance, solution, child, local_day(instance, s.start))
                in (s.worker, s.with_worker)
            }
        )
        stops = [*contacts, end_ref] if not contacts or contacts[-1] < end_ref else contacts
        previous = start_ref
        previous_is_contact = anchor is not None
        for stop in stops:
            if stop <= previous:
                previous_is_contact = previous_is_contact or stop in contacts
                continue
            is_contact = stop in contacts
            broken_limit = None
            for d in _days(previous + dt.timedelta(days=1), stop):
                plan = plan_on(instance, child, d)
                if plan is not None and (d - previous).days > plan.max_gap_days:
                    broken_limit = plan.max_gap_days
                    break
            if broken_limit is not None:
                first = previous + dt.timedelta(days=1) if previous_is_contact else previous
                last = stop - dt.timedelta(days=1) if is_contact else stop
                out.add((child, first, last, broken_limit))
            previous, previous_is_contact = stop, is_contact
    return out

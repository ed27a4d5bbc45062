"""Would a team manager sign this plan? Checks beyond SPEC's hard rules.

``validate`` says whether a plan may be committed; these checks say whether it is
one a manager would choose. Each ``Concern`` names a plan a person would send
back: a new key worker who will hardly be there while a colleague with room is,
a leaver's child without a handover where one could be held, a period over its
count, an alert whose dates or limit belong to another plan. The property tests
and ``bench/`` both call ``common_sense``; an empty list is the expectation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from solver.context import Context
from solver.eligibility import at_work, may_hold_case, weekly_capacity_minutes
from solver.instance import Instance, Worker, in_utc
from solver.solution import Allocation, Finding, PlannedSession, Solution, solution_in_utc
from solver.timegrid import elapsed_minutes, intersect, monday, place_session, travel_minutes

MOSTLY_AWAY = 0.5  # away on more than this share of the child's days with the worker


@dataclass(frozen=True, slots=True)
class Concern:
    check: str
    child: str | None
    message: str


def common_sense(instance: Instance, solution: Solution) -> list[Concern]:
    instance = in_utc(instance)
    solution = solution_in_utc(solution)
    ctx = Context(instance)
    by_child: dict[str, list[Allocation]] = defaultdict(list)
    for a in solution.allocations:
        by_child[a.child].append(a)
    minutes = _weekly_minutes(solution, ctx)
    return [
        *absent_new_key_workers(ctx, by_child, minutes),
        *missing_handovers(ctx, solution, by_child, minutes),
        *overfull_periods(ctx, solution),
        *alerts_of_another_plan(ctx, solution.findings),
    ]


def _new_relationships(
    ctx: Context, by_child: dict[str, list[Allocation]]
) -> list[tuple[Allocation, str | None]]:
    """Allocations that start a relationship, with the key worker before them: the
    committed plan's on that day (a re-plan keeps its decisions), else the case record's."""
    committed: dict[str, list[tuple[dt.date, dt.date, str | None]]] = defaultdict(list)
    for c in ctx.instance.current_allocations:
        committed[c.child].append((c.start, c.end, c.key_worker))
    out = []
    for child, entries in by_child.items():
        before = ctx.children[child].current_key_worker
        for a in entries:
            planned = [k for first, last, k in committed[child] if first <= a.start <= last]
            if planned and planned[0] is not None:
                before = planned[0]
            if a.key_worker is not None and a.key_worker != before:
                out.append((a, before))
            if a.key_worker is not None:
                before = a.key_worker
    return out


def _weekly_minutes(solution: Solution, ctx: Context) -> dict[tuple[str, dt.date], int]:
    minutes: dict[tuple[str, dt.date], int] = defaultdict(int)
    for s in solution.sessions:
        for ref in (s.worker, s.with_worker):
            if ref is not None:
                minutes[(ref, monday(ctx.local_day(s.start)))] += elapsed_minutes(s.start, s.end)
    return minutes


def _has_room(
    ctx: Context,
    worker: Worker,
    child: str,
    *,
    days: list[dt.date],
    holding: dict[tuple[str, dt.date], int],
    minutes: dict[tuple[str, dt.date], int],
) -> bool:
    """Caseload room on every day (rule 7) and, in every week, hours for the child's
    sessions on top of what the plan already gives the worker (rule 6)."""
    if any(holding[(worker.ref, d)] >= worker.max_caseload for d in days):
        return False
    for week in sorted({monday(d) for d in days}):
        plan = ctx.plan_on(child, max(week, days[0]))
        need = 0 if plan is None else -(-plan.sessions * plan.session_minutes // plan.every_weeks)
        if minutes[(worker.ref, week)] + need > weekly_capacity_minutes(worker, week):
            return False
    return True


def absent_new_key_workers(
    ctx: Context,
    by_child: dict[str, list[Allocation]],
    minutes: dict[tuple[str, dt.date], int],
) -> list[Concern]:
    """A new key worker away on most of the child's days with them, while an eligible
    colleague with caseload room and hours is at work on most of those days and could
    see the child on more of them (a window long enough for the session)."""
    holding: dict[tuple[str, dt.date], int] = defaultdict(int)
    for entries in by_child.values():
        for a in entries:
            if a.key_worker is not None:
                for day in ctx.in_force[a.child]:
                    if a.start <= day <= a.end:
                        holding[(a.key_worker, day)] += 1
    out = []
    for a, _before in _new_relationships(ctx, by_child):
        kid = ctx.children[a.child]
        key = a.key_worker
        assert key is not None
        if kid.pinned_worker == key:
            continue
        days = [d for d in ctx.in_force[a.child] if a.start <= d <= a.end and d >= ctx.today]
        if not days:
            continue
        away = sum(1 for d in days if not ctx.at_work(key, d))
        if away <= MOSTLY_AWAY * len(days):
            continue
        key_sees = _days_to_see(ctx, key, a.child, days)
        better = [
            w.ref
            for w in ctx.workers.values()
            if w.ref != key
            and may_hold_case(w, kid)
            and sum(1 for d in days if at_work(w, d)) > MOSTLY_AWAY * len(days)
            and _days_to_see(ctx, w.ref, a.child, days) > key_sees
            and _has_room(ctx, w, a.child, days=days, holding=holding, minutes=minutes)
        ]
        if better:
            out.append(
                Concern(
                    "absent-new-key-worker",
                    a.child,
                    f"{a.child}'s new key worker {key} is away on {away} of {len(days)} days "
                    f"from {a.start}, while {', '.join(sorted(better)[:3])} could hold the case",
                )
            )
    return out


def _days_to_see(ctx: Context, worker: str, child: str, days: list[dt.date]) -> int:
    """Days the worker is at work and shares a window with the child long enough for
    the session of the plan in force."""
    count = 0
    for day in days:
        plan = ctx.plan_on(child, day)
        if (
            plan is not None
            and ctx.at_work(worker, day)
            and ctx.shares_window(worker, child, day.weekday(), plan.session_minutes)
        ):
            count += 1
    return count


def missing_handovers(
    ctx: Context,
    solution: Solution,
    by_child: dict[str, list[Allocation]],
    minutes: dict[tuple[str, dt.date], int],
) -> list[Concern]:
    """A leaver's child without a joint session where the leaver and the successor
    share a slot with the child before the leaving date."""
    joint = {
        (s.child, frozenset((s.worker, s.with_worker)))
        for s in solution.sessions
        if s.with_worker is not None
    }
    out = []
    for a, before in _new_relationships(ctx, by_child):
        leaver = ctx.workers.get(before) if before else None
        if (
            leaver is None
            or leaver.end_date is None
            or a.start != leaver.end_date + dt.timedelta(days=1)
        ):
            continue
        new = a.key_worker
        assert new is not None
        if (a.child, frozenset((leaver.ref, new))) in joint:
            continue
        slot = _shared_slot(
            ctx, solution, a.child, (leaver.ref, new), last_day=leaver.end_date, minutes=minutes
        )
        if slot is not None:
            out.append(
                Concern(
                    "missing-handover",
                    a.child,
                    f"{a.child} changes from {leaver.ref} to {new} on {a.start} without a "
                    f"handover, though all three are free on {slot}",
                )
            )
    return out


def _shared_slot(
    ctx: Context,
    solution: Solution,
    child: str,
    pair: tuple[str, str],
    *,
    last_day: dt.date,
    minutes: dict[tuple[str, dt.date], int],
) -> dt.date | None:
    """A start before ``last_day`` at which a joint session fits the plan as it stands
    (rules 1-6), taking the place of one of the child's movable sessions in that period
    where the period is full: a move the plan could have made and did not."""
    inst = ctx.instance
    fixed = {s.id for s in solution.sessions if s.start < inst.freeze_until or s.locked}
    own = [s for s in solution.sessions if s.child == child]
    day = max(inst.horizon_start, ctx.today)
    while day <= last_day:
        period = ctx.period_of(child, day)
        if period is None or not (ctx.at_work(pair[0], day) and ctx.at_work(pair[1], day)):
            day += dt.timedelta(days=1)
            continue
        in_period = [s for s in own if period.contains(ctx.local_day(s.start))]
        # the session the handover would replace, if the period has no room for one more
        replaceable = [s for s in in_period if s.id not in fixed]
        if len(in_period) < period.target:
            replaceable = [None, *replaceable]  # type: ignore[list-item]
        for gone in replaceable:
            if _fits(
                ctx,
                solution,
                child,
                pair,
                day=day,
                length=period.plan.session_minutes,
                gone=gone,
                minutes=minutes,
            ):
                return day
        day += dt.timedelta(days=1)
    return None


def _fits(
    ctx: Context,
    solution: Solution,
    child: str,
    pair: tuple[str, str],
    *,
    day: dt.date,
    length: int,
    gone: PlannedSession | None,
    minutes: dict[tuple[str, dt.date], int],
) -> bool:
    kid = ctx.children[child]
    others = [s for s in solution.sessions if s is not gone]
    if any(s.child == child and ctx.local_day(s.start) == day for s in others):
        return False  # rule 5
    week = monday(day)
    for ref in pair:
        freed = (
            elapsed_minutes(gone.start, gone.end)
            if gone and ref in (gone.worker, gone.with_worker)
            else 0
        )
        if minutes[(ref, week)] - freed + length > weekly_capacity_minutes(ctx.workers[ref], week):
            return False  # rule 6
    weekday = day.weekday()
    spans = intersect(ctx.child_spans(child, weekday), ctx.worker_spans(pair[0], weekday))
    spans = intersect(tuple(spans), ctx.worker_spans(pair[1], weekday))
    busy = [
        s for s in others if {s.worker, s.with_worker} & set(pair) and ctx.local_day(s.start) == day
    ]
    for lo, hi in spans:
        minute = -(-lo // 15) * 15
        while minute + length <= hi:
            placed = place_session(day, minute, length, (lo, hi), ctx.tz)
            minute += 15
            if placed is None or placed[0] < ctx.instance.now:
                continue
            start, end = placed
            clash = False
            for s in busy:
                other = ctx.children[s.child]
                gap = dt.timedelta(minutes=travel_minutes(kid.lat, kid.lon, other.lat, other.lon))
                if start < s.end + gap and s.start < end + gap:
                    clash = True
                    break
            if not clash:
                return True
    return False


def overfull_periods(ctx: Context, solution: Solution) -> list[Concern]:
    """A period over its count with a session the plan could have left out: one held
    or fixed before the plan (rule 8) is the record's, not the plan's."""
    counts: dict[tuple[str, dt.date, dt.date], int] = defaultdict(int)
    chosen: set[tuple[str, dt.date, dt.date]] = set()
    for s in solution.sessions:
        period = ctx.period_of(s.child, ctx.local_day(s.start))
        if period is not None:
            key = (s.child, period.plan.start_date, period.first_day)
            counts[key] += 1
            if not (s.start < ctx.instance.freeze_until or s.locked):
                chosen.add(key)
    out = []
    for child in ctx.planned:
        for period in ctx.periods.get(child, []):
            key = (child, period.plan.start_date, period.first_day)
            have = counts[key]
            if have > period.required and key in chosen:
                out.append(
                    Concern(
                        "overfull-period",
                        child,
                        f"{child} has {have} sessions in the period from {period.first_day}, "
                        f"{period.required} required",
                    )
                )
    return out


def alerts_of_another_plan(ctx: Context, findings: tuple[Finding, ...]) -> list[Concern]:
    """``UNMET_SESSIONS`` dates and count, and the ``CONTACT_GAP`` limit, are those of the
    plan in force on the days concerned."""
    out = []
    for f in findings:
        if f.child is None:
            continue
        if f.kind == "UNMET_SESSIONS":
            period = next(
                (
                    p
                    for p in ctx.periods.get(f.child, [])
                    if p.plan.start_date == f.plan_start and p.first_day == f.start
                ),
                None,
            )
            if period is None or period.last_day != f.end or f.limit != period.required:
                out.append(Concern("alert-of-another-plan", f.child, f.message))
        elif f.kind == "CONTACT_GAP":
            limits = set()
            day = f.start
            while day <= f.end + dt.timedelta(days=1):
                plan = ctx.plan_on(f.child, day)
                if plan is not None:
                    limits.add(plan.max_gap_days)
                day += dt.timedelta(days=1)
            if f.limit not in limits:
                out.append(Concern("alert-of-another-plan", f.child, f.message))
    return out

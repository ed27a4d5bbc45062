"""The yardstick a manager would produce by hand, scored exactly like the solver.

Allocation: keep the child's key worker if they may hold the case, are employed
and have room under their caseload; else the least-loaded eligible worker of the
team (no secondary workers, no handovers). Timetable: for each child and period,
the first free slot (15-minute grid, earliest day first) with the key worker;
if the key worker has none that period, the first free slot with the least-loaded
team worker who may see the child. Rules 1-8 hold (the plan passes ``validate``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict

from solver import Child, Instance, Solution
from solver.allocation import AllocationResult, DayAlloc, change_cause
from solver.candidates import KEY, OTHER, Candidate
from solver.context import Context
from solver.eligibility import employed, may_hold_case, may_work_with, weekly_capacity_minutes
from solver.instance import in_utc
from solver.periods import period_key
from solver.solve import assemble
from solver.terms import Reason
from solver.timegrid import elapsed_minutes, intersect, monday, place_session, travel_minutes
from solver.timetable import TimetableResult, fixed_facts


def greedy_plan(instance: Instance) -> Solution:
    started = time.monotonic()
    instance = in_utc(instance)
    ctx = Context(instance)
    alloc = _allocate(ctx)
    table = _timetable(ctx, alloc)
    return assemble(ctx, alloc, table, started)


def _allocate(ctx: Context) -> AllocationResult:
    result = AllocationResult()
    load: dict[tuple[str, dt.date], int] = defaultdict(int)
    for child in ctx.planned:
        kid = ctx.children[child]
        days: dict[dt.date, DayAlloc] = {}
        current = kid.current_key_worker
        last = current  # the key worker before, through unallocated days
        for day in ctx.in_force[child]:

            def fits(ref: str, day: dt.date = day, kid: Child = kid, child: str = child) -> bool:
                w = ctx.workers.get(ref)
                return (
                    w is not None
                    and may_hold_case(w, kid)
                    # kept through an absence or a closed day, as SPEC keeps a relationship
                    and employed(w, day)
                    and load[(ref, day)] < w.max_caseload
                )

            if current is None or not fits(current):
                team = sorted(
                    (w for w in ctx.workers.values() if w.team == kid.team and fits(w.ref)),
                    key=lambda w: (load[(w.ref, day)] / max(1, w.max_caseload), w.ref),
                )
                current = team[0].ref if team else None
                if current is not None and last is not None and current != last:
                    _record_change(ctx, result, load, child=child, old=last, day=day)
            if current is not None:
                load[(current, day)] += 1
                last = current
            days[day] = (current, None)
        result.by_child[child] = days
    return result


def _record_change(
    ctx: Context,
    result: AllocationResult,
    load: dict[tuple[str, dt.date], int],
    *,
    child: str,
    old: str,
    day: dt.date,
) -> None:
    """Keep the reason code of a change the greedy made: the rule that ruled ``old``
    out, or their full caseload. Where neither holds, the plan's facts say it
    (``assemble`` explains a change without a recorded cause from the whole plan)."""
    cause = change_cause(ctx, child=child, old=old, day=day, caseload=load, overflow={})
    if cause.reason is not Reason.TEAM_CASELOADS:
        result.causes[(child, day)] = cause


def _timetable(ctx: Context, alloc: AllocationResult) -> TimetableResult:
    facts = fixed_facts(ctx)
    table = TimetableResult(kept=facts.kept)
    busy: dict[tuple[str, dt.date], list[tuple[dt.datetime, dt.datetime, str]]] = defaultdict(list)
    for s in facts.kept:
        for ref in (s.worker, s.with_worker):
            if ref is not None:
                busy[(ref, ctx.local_day(s.start))].append((s.start, s.end, s.child))
    minutes = dict(facts.minutes)
    sessions_of: dict[str, int] = defaultdict(int)
    child_days = {child: set(days) for child, days in facts.days.items()}

    def free(ref: str, child: str, start: dt.datetime, end: dt.datetime, day: dt.date) -> bool:
        kid = ctx.children[child]
        for lo, hi, other in busy[(ref, day)]:
            o = ctx.children[other]
            gap = dt.timedelta(minutes=travel_minutes(kid.lat, kid.lon, o.lat, o.lon))
            if start < hi + gap and lo < end + gap:
                return False
        week = (ref, monday(day))
        cap = weekly_capacity_minutes(ctx.workers[ref], week[1])
        return minutes.get(week, 0) + elapsed_minutes(start, end) <= cap

    def first_slot(ref: str, child: str, days: list[dt.date], length: int) -> Candidate | None:
        for day in days:
            if day in child_days.get(child, set()) or not ctx.at_work(ref, day):
                continue
            spans = intersect(
                ctx.child_spans(child, day.weekday()), ctx.worker_spans(ref, day.weekday())
            )
            for span in spans:
                minute = -(-span[0] // 15) * 15
                while minute + length <= span[1] + 60:
                    placed = place_session(day, minute, length, span, ctx.tz)
                    minute += 15
                    if placed is None or placed[0] < ctx.instance.now:
                        continue
                    if free(ref, child, placed[0], placed[1], day):
                        period = ctx.period_of(child, day)
                        assert period is not None
                        key = alloc.by_child[child].get(day, (None, None))[0]
                        role = KEY if key == ref else OTHER
                        return Candidate(child, ref, None, day, placed[0], placed[1], period, role)
        return None

    for child in ctx.planned:
        kid = ctx.children[child]
        for period in ctx.periods.get(child, []):
            room = period.target - facts.count.get(period_key(period), 0)
            days = [d for d in ctx.in_force[child] if period.contains(d) and d >= ctx.today]
            for _ in range(max(0, room)):
                key = next(
                    (alloc.by_child[child][d][0] for d in days if alloc.by_child[child][d][0]), None
                )
                chosen = first_slot(key, child, days, period.plan.session_minutes) if key else None
                if chosen is None:
                    others = sorted(
                        (
                            w.ref
                            for w in ctx.workers.values()
                            if w.team == kid.team and w.ref != key and may_work_with(w, kid)
                        ),
                        key=lambda r: (sessions_of[r], r),
                    )
                    for ref in others:
                        chosen = first_slot(ref, child, days, period.plan.session_minutes)
                        if chosen is not None:
                            break
                if chosen is None:
                    break
                table.chosen.append(chosen)
                busy[(chosen.worker, chosen.day)].append((chosen.start, chosen.end, child))
                week = (chosen.worker, monday(chosen.day))
                minutes[week] = minutes.get(week, 0) + chosen.minutes
                sessions_of[chosen.worker] += 1
                child_days.setdefault(child, set()).add(chosen.day)
    table.cancelled = [s for sessions in facts.broken.values() for s in sessions]
    return table

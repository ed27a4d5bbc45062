"""Recheck SPEC's hard planning rules 1-8 on a solution, without CP-SAT.

``validate(instance, solution)`` returns one ``Violation`` per broken rule
instance; an empty list means the plan may be committed. Sessions that rule 8
fixes (before now, inside the freeze window, locked) and that the plan keeps
unchanged are exempt from rules 1, 4, 5 and 6 among themselves: the plan may
not move them, so a clash purely between them is the input's, not the plan's.
Rule 0 collects the plan's own shape (periods over their required count,
overlapping allocations, the key worker as secondary).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from solver.context import Context
from solver.eligibility import at_work, may_hold_case, may_work_with, weekly_capacity_minutes
from solver.instance import ExistingSession, Instance, in_utc
from solver.solution import PlannedSession, Solution, solution_in_utc
from solver.timegrid import elapsed_minutes, lies_within, monday, travel_minutes, wall_minute


@dataclass(frozen=True, slots=True)
class Violation:
    rule: int
    message: str


def validate(instance: Instance, solution: Solution) -> list[Violation]:
    instance = in_utc(instance)
    solution = solution_in_utc(solution)
    ctx = Context(instance)
    out: list[Violation] = []
    existing = {s.id: s for s in instance.existing_sessions}
    fixed_ids = {s.id for s in existing.values() if ctx.is_fixed(s)}

    def unchanged_fixed(s: PlannedSession) -> bool:
        e = existing.get(s.id)
        return (
            e is not None
            and s.id in fixed_ids
            and (e.worker, e.with_worker, e.start, e.end)
            == (s.worker, s.with_worker, s.start, s.end)
        )

    def fixed_time(s: PlannedSession) -> bool:
        e = existing.get(s.id)
        return e is not None and s.id in fixed_ids and (e.start, e.end) == (s.start, s.end)

    ids = [s.id for s in solution.sessions]
    if len(ids) != len(set(ids)):
        out.append(Violation(0, "session ids are not unique"))
    for s in solution.sessions:
        if s.id in instance.retired_session_ids:
            out.append(Violation(0, f"session {s.id} reuses a retired id"))
    out += _rule_1(ctx, solution, unchanged_fixed, fixed_time)
    out += _rules_2_3(ctx, solution, unchanged_fixed)
    out += _rule_4(ctx, solution, unchanged_fixed)
    out += _rule_5(ctx, solution, fixed_time)
    out += _rule_6(ctx, solution, unchanged_fixed)
    out += _rule_7(ctx, solution)
    out += _rule_8(ctx, solution, [existing[i] for i in sorted(fixed_ids)])
    out += _periods(ctx, solution, unchanged_fixed)
    return out


Exempt = Callable[[PlannedSession], bool]


def _rule_1(  # noqa: PLR0912 - a rule checker: one branch per clause of the rule
    ctx: Context, solution: Solution, exempt: Exempt, fixed_time: Exempt
) -> list[Violation]:
    out: list[Violation] = []
    inst = ctx.instance
    for s in solution.sessions:
        if exempt(s):
            continue
        day, minute = wall_minute(s.start, ctx.tz)
        tag = f"session {s.id} ({s.child} {s.start.isoformat()})"
        if fixed_time(s):  # rule 8's exception: same time, another worker
            for ref in (s.worker, s.with_worker):
                if (
                    ref is not None
                    and ref in ctx.workers
                    and not lies_within(
                        s.start, s.end, ctx.worker_spans(ref, day.weekday()), ctx.tz
                    )
                ):
                    out.append(Violation(1, f"{tag} is outside {ref}'s availability"))
            continue
        if s.past:
            out.append(Violation(8, f"{tag} is new or changed but starts before now"))
            continue
        if s.start < inst.now:
            out.append(Violation(1, f"{tag} starts before now"))
        if not inst.horizon_start <= day <= inst.horizon_end:
            out.append(Violation(1, f"{tag} lies outside the horizon"))
        plan = ctx.plan_on(s.child, day)
        if plan is None:
            out.append(Violation(1, f"{tag} is on a day the child's plan is not in force"))
            continue
        if elapsed_minutes(s.start, s.end) != plan.session_minutes:
            out.append(
                Violation(
                    1,
                    f"{tag} lasts {elapsed_minutes(s.start, s.end)} minutes, "
                    f"not {plan.session_minutes}",
                )
            )
        if minute % 15:
            out.append(Violation(1, f"{tag} does not start on a 15-minute boundary"))
        if not lies_within(s.start, s.end, ctx.child_spans(s.child, day.weekday()), ctx.tz):
            out.append(Violation(1, f"{tag} is outside {s.child}'s availability"))
        for ref in (s.worker, s.with_worker):
            if ref is None or ref not in ctx.workers:
                continue
            if not lies_within(s.start, s.end, ctx.worker_spans(ref, day.weekday()), ctx.tz):
                out.append(Violation(1, f"{tag} is outside {ref}'s availability"))
    return out


def _rules_2_3(ctx: Context, solution: Solution, exempt: Exempt) -> list[Violation]:  # noqa: PLR0912 - a rule checker: one branch per clause of the rule
    out: list[Violation] = []
    for s in solution.sessions:
        if s.past:
            continue
        day = ctx.local_day(s.start)
        kid = ctx.children.get(s.child)
        tag = f"session {s.id} ({s.child} {day})"
        if kid is None:
            out.append(Violation(3, f"{tag}: unknown child"))
            continue
        for ref in (s.worker, s.with_worker):
            if ref is None:
                continue
            worker = ctx.workers.get(ref)
            if worker is None:
                out.append(Violation(2, f"{tag}: unknown worker {ref}"))
                continue
            if not at_work(worker, day):
                why = ctx.session_problem(ref, s.child, day)
                out.append(Violation(2, f"{tag}: {why or f'{ref} is not at work'}"))
            if not may_work_with(worker, kid):
                out.append(Violation(3, f"{tag}: {ref} lacks a skill or language or is excluded"))
        worker = ctx.workers.get(s.worker)
        cross_team = worker is not None and worker.team != kid.team and s.with_worker is None
        if worker is not None and cross_team and not exempt(s):
            for other in ctx.workers.values():
                if (
                    other.team == kid.team
                    and may_work_with(other, kid)
                    and at_work(other, day)
                    and lies_within(
                        s.start, s.end, ctx.worker_spans(other.ref, day.weekday()), ctx.tz
                    )
                    and not _busy(ctx, solution, other.ref, s)
                ):
                    out.append(
                        Violation(
                            3,
                            f"{tag}: cover from team {worker.team} although "
                            f"{other.ref} of team {kid.team} could",
                        )
                    )
                    break
    for a in solution.allocations:
        kid = ctx.children.get(a.child)
        if kid is None:
            out.append(Violation(3, f"allocation for unknown child {a.child}"))
            continue
        for ref, role in ((a.key_worker, "key"), (a.secondary_worker, "secondary")):
            if ref is None:
                continue
            worker = ctx.workers.get(ref)
            if worker is None or not may_hold_case(worker, kid):
                out.append(Violation(3, f"{a.child}: {role} worker {ref} may not hold the case"))
            elif worker.end_date is not None and a.end > worker.end_date:
                out.append(Violation(2, f"{a.child}: {role} worker {ref} leaves before {a.end}"))
            elif worker.start_date is not None and a.start < worker.start_date:
                out.append(Violation(2, f"{a.child}: {role} worker {ref} starts after {a.start}"))
        if a.key_worker is not None and a.key_worker == a.secondary_worker:
            out.append(Violation(0, f"{a.child}: key worker is also the secondary worker"))
    return out


def _busy(ctx: Context, solution: Solution, ref: str, session: PlannedSession) -> bool:
    return any(
        ref in (s.worker, s.with_worker) and s.start < session.end and session.start < s.end
        for s in solution.sessions
    )


def _rule_4(ctx: Context, solution: Solution, exempt: Exempt) -> list[Violation]:
    out: list[Violation] = []
    by_worker_day: dict[tuple[str, dt.date], list[PlannedSession]] = defaultdict(list)
    for s in solution.sessions:
        for ref in (s.worker, s.with_worker):
            if ref is not None:
                by_worker_day[(ref, ctx.local_day(s.start))].append(s)
    for (ref, day), sessions in sorted(by_worker_day.items()):
        sessions.sort(key=lambda s: s.start)
        for i, a in enumerate(sessions):
            for b in sessions[i + 1 :]:
                if exempt(a) and exempt(b):
                    continue
                ca, cb = ctx.children.get(a.child), ctx.children.get(b.child)
                gap = travel_minutes(
                    ca.lat if ca else None,
                    ca.lon if ca else None,
                    cb.lat if cb else None,
                    cb.lon if cb else None,
                )
                if b.start < a.end or elapsed_minutes(a.end, b.start) < gap:
                    out.append(
                        Violation(
                            4,
                            f"{ref} on {day}: sessions {a.id} and {b.id} overlap "
                            f"or leave less than {gap} minutes to travel",
                        )
                    )
    return out


def _rule_5(ctx: Context, solution: Solution, exempt: Exempt) -> list[Violation]:
    out: list[Violation] = []
    by_child_day: dict[tuple[str, dt.date], list[PlannedSession]] = defaultdict(list)
    for s in solution.sessions:
        by_child_day[(s.child, ctx.local_day(s.start))].append(s)
    for (child, day), sessions in sorted(by_child_day.items()):
        if len(sessions) > 1 and not all(exempt(s) for s in sessions):
            out.append(Violation(5, f"{child} has {len(sessions)} sessions on {day}"))
    return out


def _rule_6(ctx: Context, solution: Solution, exempt: Exempt) -> list[Violation]:
    out: list[Violation] = []
    used: dict[tuple[str, dt.date], int] = defaultdict(int)
    changed: set[tuple[str, dt.date]] = set()
    for s in solution.sessions:
        week = monday(ctx.local_day(s.start))
        for ref in (s.worker, s.with_worker):
            if ref is not None:
                used[(ref, week)] += elapsed_minutes(s.start, s.end)
                if not exempt(s):
                    changed.add((ref, week))
    for (ref, week), minutes in sorted(used.items()):
        worker = ctx.workers.get(ref)
        if worker is None or (ref, week) not in changed:
            continue
        cap = weekly_capacity_minutes(worker, week)
        if minutes > cap:
            out.append(
                Violation(
                    6, f"{ref} has {minutes} session minutes in the week of {week}, capacity {cap}"
                )
            )
    return out


def _rule_7(ctx: Context, solution: Solution) -> list[Violation]:
    out: list[Violation] = []
    count: dict[tuple[str, dt.date], int] = defaultdict(int)
    covered: dict[tuple[str, dt.date], int] = defaultdict(int)
    for a in solution.allocations:
        day = a.start
        while day <= a.end:
            covered[(a.child, day)] += 1
            if a.key_worker is not None:
                count[(a.key_worker, day)] += 1
            day += dt.timedelta(days=1)
    for (ref, day), n in sorted(count.items()):
        worker = ctx.workers.get(ref)
        if worker is not None and n > worker.max_caseload:
            out.append(
                Violation(
                    7, f"{ref} is key worker for {n} children on {day}, limit {worker.max_caseload}"
                )
            )
    for (child, day), n in sorted(covered.items()):
        if n > 1:
            out.append(Violation(0, f"{child} has {n} overlapping allocations on {day}"))
    return out


def _rule_8(ctx: Context, solution: Solution, fixed: list[ExistingSession]) -> list[Violation]:
    out: list[Violation] = []
    planned = {s.id: s for s in solution.sessions}
    frozen_alerts = {f.session for f in solution.findings if f.kind == "FROZEN_CHANGE"}
    for e in fixed:
        day = ctx.local_day(e.start)
        if day > ctx.instance.horizon_end:
            continue
        s = planned.get(e.id)
        if s is None:
            if day < ctx.instance.horizon_start and ctx.period_of(e.child, day) is None:
                continue  # held in a period that does not touch the horizon
            if e.id not in frozen_alerts:
                out.append(Violation(8, f"fixed session {e.id} was removed without FROZEN_CHANGE"))
            continue
        if (s.start, s.end, s.child) != (e.start, e.end, e.child):
            out.append(Violation(8, f"fixed session {e.id} was moved"))
        if (s.worker, s.with_worker) != (e.worker, e.with_worker) and e.id not in frozen_alerts:
            out.append(Violation(8, f"fixed session {e.id} changed worker without FROZEN_CHANGE"))
        if s.locked != e.locked:
            out.append(Violation(8, f"fixed session {e.id} changed its lock"))
    return out


def _periods(ctx: Context, solution: Solution, exempt: Exempt) -> list[Violation]:
    """A plan never has more sessions in a period than required."""
    out: list[Violation] = []
    count: dict[tuple[str, dt.date, int], list[PlannedSession]] = defaultdict(list)
    for s in solution.sessions:
        period = ctx.period_of(s.child, ctx.local_day(s.start))
        if period is not None:
            count[(s.child, period.plan.start_date, period.index)].append(s)
    for child in ctx.planned:
        for period in ctx.periods[child]:
            sessions = count[(child, period.plan.start_date, period.index)]
            if len(sessions) > period.required and not all(exempt(s) for s in sessions):
                out.append(
                    Violation(
                        0,
                        f"{child} has {len(sessions)} sessions in the period from "
                        f"{period.first_day}, more than the {period.required} required",
                    )
                )
    return out

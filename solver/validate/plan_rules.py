"""The plan as a whole: its ids, who holds each case (rules 2 and 3 for key and
secondary workers), caseloads (rule 7), what re-planning may not move (rule 8)
and the sessions in each period (never more than required).

Rule 0 stands for the plan's own shape: unique and fresh session ids, one
allocation a child a day, the key worker not also the secondary worker, no period
over its required count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from solver.solution import Allocation, PlannedSession, Solution
from solver.validate.reading import Reading
from solver.validate.violation import Violation


def session_ids(r: Reading, solution: Solution) -> list[Violation]:
    """Session ids are unique and never one the calendars have already retired."""
    out: list[Violation] = []
    ids = [s.id for s in solution.sessions]
    if len(ids) != len(set(ids)):
        out.append(Violation(0, "session ids are not unique"))
    retired = r.instance.retired_session_ids
    out += [
        Violation(0, f"session {s.id} reuses a retired id")
        for s in solution.sessions
        if s.id in retired
    ]
    return out


def case_holders(r: Reading, allocations: tuple[Allocation, ...]) -> list[Violation]:
    """Key and secondary workers: suited and of the child's team (3), employed over
    the whole allocation (2), and two different people."""
    out: list[Violation] = []
    for a in allocations:
        kid = r.children.get(a.child)
        if kid is None:
            out.append(Violation(3, f"allocation for unknown child {a.child}"))
            continue
        for ref, role in ((a.key_worker, "key"), (a.secondary_worker, "secondary")):
            if ref is None:
                continue
            worker = r.workers.get(ref)
            if worker is None or not r.may_hold(worker, kid):
                out.append(Violation(3, f"{a.child}: {role} worker {ref} may not hold the case"))
            elif worker.end_date is not None and a.end > worker.end_date:
                out.append(Violation(2, f"{a.child}: {role} worker {ref} leaves before {a.end}"))
            elif worker.start_date is not None and a.start < worker.start_date:
                out.append(Violation(2, f"{a.child}: {role} worker {ref} starts after {a.start}"))
        if a.key_worker is not None and a.key_worker == a.secondary_worker:
            out.append(Violation(0, f"{a.child}: key worker is also the secondary worker"))
    return out


def rule_7(r: Reading, allocations: tuple[Allocation, ...]) -> list[Violation]:
    """On every day a worker is key worker for at most ``max_caseload`` children;
    and a child has one allocation a day."""
    load: dict[tuple[str, dt.date], int] = defaultdict(int)
    held: dict[tuple[str, dt.date], int] = defaultdict(int)
    for a in allocations:
        for offset in range((a.end - a.start).days + 1):
            day = a.start + dt.timedelta(days=offset)
            held[(a.child, day)] += 1
            if a.key_worker is not None:
                load[(a.key_worker, day)] += 1
    out: list[Violation] = []
    for (ref, day), n in sorted(load.items()):
        worker = r.workers.get(ref)
        if worker is not None and n > worker.max_caseload:
            limit = worker.max_caseload
            out.append(
                Violation(7, f"{ref} is key worker for {n} children on {day}, limit {limit}")
            )
    out += [
        Violation(0, f"{child} has {n} overlapping allocations on {day}")
        for (child, day), n in sorted(held.items())
        if n > 1
    ]
    return out


def rule_8(r: Reading, solution: Solution) -> list[Violation]:
    """Fixed sessions (before now, in the freeze window, locked) up to the horizon end
    are kept: not moved, their lock kept, their worker changed or the session dropped
    only with a ``FROZEN_CHANGE`` finding (rule 8's exception)."""
    out: list[Violation] = []
    planned = {s.id: s for s in solution.sessions}
    alerted = {f.session for f in solution.findings if f.kind == "FROZEN_CHANGE"}
    for ref in sorted(r.fixed):
        e = r.existing[ref]
        day = r.day_of(e.start)
        if day > r.last_day:
            continue
        s = planned.get(ref)
        if s is None:
            if day < r.first_day and r.period_on(e.child, day) is None:
                continue  # held in a period that does not touch the horizon
            if ref not in alerted:
                out.append(Violation(8, f"fixed session {ref} was removed without FROZEN_CHANGE"))
            continue
        if (s.start, s.end, s.child) != (e.start, e.end, e.child):
            out.append(Violation(8, f"fixed session {ref} was moved"))
        if (s.worker, s.with_worker) != (e.worker, e.with_worker) and ref not in alerted:
            out.append(Violation(8, f"fixed session {ref} changed worker without FROZEN_CHANGE"))
        if s.locked != e.locked:
            out.append(Violation(8, f"fixed session {ref} changed its lock"))
    return out


def period_counts(r: Reading, sessions: tuple[PlannedSession, ...]) -> list[Violation]:
    """A plan never has more sessions in a period than required (SPEC "Period")."""
    count: dict[tuple[str, dt.date, int], list[PlannedSession]] = defaultdict(list)
    required: dict[tuple[str, dt.date, int], tuple[dt.date, int]] = {}
    for s in sessions:
        period = r.period_on(s.child, r.day_of(s.start))
        if period is not None:
            key = (s.child, period.plan.start_date, period.index)
            count[key].append(s)
            required[key] = (period.first_day, period.required)
    out: list[Violation] = []
    for key, theirs in sorted(count.items()):
        first_day, most = required[key]
        if len(theirs) > most and not all(r.unchanged_fixed(s) for s in theirs):
            out.append(
                Violation(
                    0,
                    f"{key[0]} has {len(theirs)} sessions in the period from "
                    f"{first_day}, more than the {most} required",
                )
            )
    return out

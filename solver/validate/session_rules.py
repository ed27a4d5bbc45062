"""SPEC planning rules 1-6: each session, and each worker's and child's day and week.

Every function takes the validator's own ``Reading`` and the plan's sessions (in
UTC) and returns the rule's violations. A session that rule 8 fixes and the plan
keeps unchanged is exempt from rules 1, 4, 5 and 6 among such sessions: the plan
may not move it, so a clash purely between them is the input's, not the plan's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction

from solver.instance import Child
from solver.solution import PlannedSession
from solver.validate.reading import Reading, travel_minutes, week_of
from solver.validate.violation import Violation

Sessions = tuple[PlannedSession, ...]


def _elapsed(a: dt.datetime, b: dt.datetime) -> int:
    """Whole minutes of elapsed time from ``a`` to ``b`` (both in UTC)."""
    return int((b - a).total_seconds() // 60)


def _workers(s: PlannedSession) -> list[str]:
    """The session's worker and, for a joint session, its second worker."""
    return [ref for ref in (s.worker, s.with_worker) if ref is not None]


def rule_1(r: Reading, sessions: Sessions) -> list[Violation]:
    """Length, 15-minute start, both availabilities, plan in force, horizon, not past."""
    out: list[Violation] = []
    for s in sessions:
        if r.unchanged_fixed(s):
            continue
        tag = f"session {s.id} ({s.child} {s.start.isoformat()})"
        if r.fixed_time(s):  # rule 8's exception: same time, another worker
            out += _outside_workers(r, s, tag)
        elif s.past:
            out.append(Violation(8, f"{tag} is new or changed but starts before now"))
        else:
            out += _new_session(r, s, tag)
    return out


def _new_session(r: Reading, s: PlannedSession, tag: str) -> list[Violation]:
    out: list[Violation] = []
    day, minute = r.local(s.start)
    if s.start < r.now:
        out.append(Violation(1, f"{tag} starts before now"))
    if not r.first_day <= day <= r.last_day:
        out.append(Violation(1, f"{tag} lies outside the horizon"))
    plan = r.plan_on(s.child, day)
    if plan is None:
        out.append(Violation(1, f"{tag} is on a day the child's plan is not in force"))
        return out
    if s.end - s.start != dt.timedelta(minutes=plan.session_minutes):
        length = _elapsed(s.start, s.end)
        out.append(Violation(1, f"{tag} lasts {length} minutes, not {plan.session_minutes}"))
    wall = s.start.astimezone(r.tz)
    if minute % 15 or wall.second or wall.microsecond:
        out.append(Violation(1, f"{tag} does not start on a 15-minute boundary"))
    if not r.child_fits(s.child, s.start, s.end):
        out.append(Violation(1, f"{tag} is outside {s.child}'s availability"))
    return out + _outside_workers(r, s, tag)


def _outside_workers(r: Reading, s: PlannedSession, tag: str) -> list[Violation]:
    return [
        Violation(1, f"{tag} is outside {ref}'s availability")
        for ref in _workers(s)
        if ref in r.workers and not r.worker_fits(ref, s.start, s.end)
    ]


def rules_2_3(r: Reading, sessions: Sessions) -> list[Violation]:
    """Each session's workers: at work that day (2), suited to the child (3); a worker
    from another team only where nobody of the child's team could (3)."""
    out: list[Violation] = []
    # each worker's sessions, read once: asking every session of the plan for every
    # cross-team session took seconds at la size
    by_worker: dict[str, list[PlannedSession]] = defaultdict(list)
    for s in sessions:
        for ref in _workers(s):
            by_worker[ref].append(s)
    for s in sessions:
        if s.past:
            continue
        day = r.day_of(s.start)
        tag = f"session {s.id} ({s.child} {day})"
        kid = r.children.get(s.child)
        if kid is None:
            out.append(Violation(3, f"{tag}: unknown child"))
            continue
        for ref in _workers(s):
            worker = r.workers.get(ref)
            if worker is None:
                out.append(Violation(2, f"{tag}: unknown worker {ref}"))
                continue
            why = r.away(worker, day)
            if why is not None:
                out.append(Violation(2, f"{tag}: {why}"))
            if not r.may_see(worker, kid):
                out.append(Violation(3, f"{tag}: {ref} lacks a skill or language or is excluded"))
        out += _cross_team(r, by_worker, s, kid, tag)
    return out


def _cross_team(
    r: Reading,
    by_worker: dict[str, list[PlannedSession]],
    s: PlannedSession,
    kid: Child,
    tag: str,
) -> list[Violation]:
    worker = r.workers.get(s.worker)
    if worker is None or worker.team == kid.team or s.with_worker is not None:
        return []
    if r.unchanged_fixed(s):
        return []
    day = r.day_of(s.start)
    for other in r.workers.values():
        if (
            other.team == kid.team
            and r.may_see(other, kid)
            and r.at_work(other, day)
            and r.worker_fits(other.ref, s.start, s.end)
            and not _busy(by_worker.get(other.ref, []), s)
        ):
            return [
                Violation(
                    3,
                    f"{tag}: cover from team {worker.team} although "
                    f"{other.ref} of team {kid.team} could",
                )
            ]
    return []


def _busy(theirs: list[PlannedSession], session: PlannedSession) -> bool:
    """Whether any of a worker's sessions (``theirs``) overlaps ``session``."""
    return any(s.start < session.end and session.start < s.end for s in theirs)


def rule_4(r: Reading, sessions: Sessions) -> list[Violation]:
    """No overlap, and the travel time between two of a worker's sessions on a day."""
    out: list[Violation] = []
    by_day: dict[tuple[str, dt.date], list[PlannedSession]] = defaultdict(list)
    for s in sessions:
        for ref in _workers(s):
            by_day[(ref, r.day_of(s.start))].append(s)
    for (ref, day), theirs in sorted(by_day.items()):
        theirs.sort(key=lambda s: s.start)
        for i, a in enumerate(theirs):
            for b in theirs[i + 1 :]:
                if r.unchanged_fixed(a) and r.unchanged_fixed(b):
                    continue
                gap = travel_minutes(r.children.get(a.child), r.children.get(b.child))
                if b.start < a.end or b.start - a.end < dt.timedelta(minutes=gap):
                    out.append(
                        Violation(
                            4,
                            f"{ref} on {day}: sessions {a.id} and {b.id} overlap "
                            f"or leave less than {gap} minutes to travel",
                        )
                    )
    return out


def rule_5(r: Reading, sessions: Sessions) -> list[Violation]:
    """At most one session a day for a child."""
    by_day: dict[tuple[str, dt.date], list[PlannedSession]] = defaultdict(list)
    for s in sessions:
        by_day[(s.child, r.day_of(s.start))].append(s)
    return [
        Violation(5, f"{child} has {len(theirs)} sessions on {day}")
        for (child, day), theirs in sorted(by_day.items())
        if len(theirs) > 1 and not all(r.fixed_time(s) for s in theirs)
    ]


def rule_6(r: Reading, sessions: Sessions) -> list[Violation]:
    """A worker's session minutes in an ISO week within their weekly capacity."""
    used: dict[tuple[str, dt.date], dt.timedelta] = defaultdict(dt.timedelta)
    changed: set[tuple[str, dt.date]] = set()
    for s in sessions:
        week = week_of(r.day_of(s.start))
        for ref in _workers(s):
            used[(ref, week)] += s.end - s.start
            if not r.unchanged_fixed(s):
                changed.add((ref, week))
    out: list[Violation] = []
    for (ref, week), length in sorted(used.items()):
        worker = r.workers.get(ref)
        if worker is None or (ref, week) not in changed:
            continue
        cap = r.weekly_capacity(worker, week)
        minutes = Fraction(length // dt.timedelta(microseconds=1), 60_000_000)
        if minutes > cap:
            out.append(
                Violation(
                    6,
                    f"{ref} has {int(minutes)} session minutes in the week of {week}, "
                    f"capacity {int(cap)}",
                )
            )
    return out

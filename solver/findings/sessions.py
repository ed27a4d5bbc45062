"""Session findings: COVER, UNMET_SESSIONS and FROZEN_CHANGE.

Each reason is a ``Cause`` chosen from the final plan's facts (``cover_cause``,
``unmet_cause``, the worker's ``session_problem``) and put in words by the finding
kind's table in ``messages.py``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from solver.context import Context
from solver.eligibility import weekly_capacity_minutes
from solver.findings.common import HIGH, MEDIUM, day_text, key_on, severity
from solver.findings.messages import (
    COVER_MESSAGES,
    FROZEN_MESSAGES,
    UNMET_MESSAGES,
    cover_role,
    in_words,
)
from solver.solution import Allocation, Finding, PlannedSession
from solver.terms import Cause, Fact, Reason
from solver.timegrid import elapsed_minutes, monday


def cover_findings(
    ctx: Context,
    allocations: dict[str, list[Allocation]],
    sessions: list[PlannedSession],
) -> list[Finding]:
    minutes: dict[tuple[str, dt.date], int] = defaultdict(int)
    for s in sessions:
        for ref in (s.worker, s.with_worker):
            if ref is not None:
                minutes[(ref, monday(ctx.local_day(s.start)))] += elapsed_minutes(s.start, s.end)
    out: list[Finding] = []
    for s in sessions:
        if s.past or not s.cover:
            continue
        day = ctx.local_day(s.start)
        entry = next((a for a in allocations.get(s.child, []) if a.start <= day <= a.end), None)
        key = entry.key_worker if entry else None
        secondary = entry.secondary_worker if entry else None
        cause = cover_cause(ctx, s, key, day, minutes)
        team, own = ctx.workers[s.worker].team, ctx.children[s.child].team
        role = "secondary" if s.worker == secondary else "cover"
        if team != own:
            role = "other_team"
        local = s.start.astimezone(ctx.tz)
        out.append(
            Finding(
                "COVER",
                "low" if s.worker == secondary else MEDIUM,
                s.child,
                s.worker,
                s.id,
                day,
                day,
                f"{s.child}'s session on {day_text(day)} at {local:%H:%M} is covered by {s.worker} "
                f"({cover_role(role, team=team, own=own)}) because "
                f"{in_words(COVER_MESSAGES, cause)}.",
                reason_code=str(cause.reason),
            )
        )
    return out


def cover_cause(
    ctx: Context,
    session: PlannedSession,
    key: str | None,
    day: dt.date,
    minutes: dict[tuple[str, dt.date], int],
) -> Cause:
    """Why ``session`` is not with the key worker ``key``: none that day, a rule keeps
    them from it, their week is booked (``minutes`` by worker and week), or no slot."""
    child = session.child
    if key is None:
        return Cause(Reason.NO_KEY_WORKER, {"child": child, "day": day})
    problem = ctx.session_problem(key, child, day)
    if problem is not None:
        return problem
    week = monday(day)
    cap = weekly_capacity_minutes(ctx.workers[key], week)
    seen: dict[str, Fact] = {"worker": key, "child": child, "day": day}
    if minutes[(key, week)] + elapsed_minutes(session.start, session.end) > cap:
        return Cause(Reason.WEEK_FULL, {**seen, "week": week})
    return Cause(Reason.NO_SLOT, seen)


def unmet_findings(
    ctx: Context, allocations: dict[str, list[Allocation]], sessions: list[PlannedSession]
) -> list[Finding]:
    counts: dict[tuple[str, dt.date, int], int] = defaultdict(int)
    for s in sessions:
        period = ctx.period_of(s.child, ctx.local_day(s.start))
        if period is not None:
            counts[(s.child, period.plan.start_date, period.index)] += 1
    out: list[Finding] = []
    for child in ctx.planned:
        for period in ctx.periods.get(child, []):
            if not period.ends_in_horizon:
                continue
            have = counts[(child, period.plan.start_date, period.index)]
            if have >= period.required:
                continue
            key = key_on(ctx, allocations, child, max(period.first_day, ctx.instance.horizon_start))
            cause = unmet_cause(ctx, child, key, period.first_day, period.last_day)
            out.append(
                Finding(
                    "UNMET_SESSIONS",
                    severity(ctx, child),
                    child,
                    None,
                    None,
                    period.first_day,
                    period.last_day,
                    f"{child} gets {have} of {period.required} sessions in the period "
                    f"{day_text(period.first_day)} to {day_text(period.last_day)} because "
                    f"{in_words(UNMET_MESSAGES, cause)}.",
                    plan_start=period.plan.start_date,
                    limit=period.required,
                    reason_code=str(cause.reason),
                )
            )
    return out


def unmet_cause(ctx: Context, child: str, key: str | None, first: dt.date, last: dt.date) -> Cause:
    """Why ``child``'s period ``first`` to ``last`` falls short, with ``key`` as key worker."""
    if key is None:
        return Cause(Reason.NO_KEY_WORKER, {"child": child, "first": first, "last": last})
    seen: dict[str, Fact] = {"child": child, "worker": key, "first": first, "last": last}
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    open_days = [d for d in days if d >= ctx.today and d >= ctx.instance.horizon_start]
    # the days they would work: a closed Monday and Friday of a Mon/Fri worker is the
    # whole rest of their week
    working = [d for d in open_days if ctx.worker_spans(key, d.weekday())] or open_days
    away = [d for d in working if not ctx.at_work(key, d)]
    if working and len(away) == len(working):
        if all(ctx.closed_on(key, d) for d in away):
            return Cause(Reason.TEAM_CLOSED, seen)
        return Cause(Reason.KEY_AWAY, seen)
    if not open_days:
        return Cause(Reason.PERIOD_OVER, seen)
    return Cause(Reason.NO_SLOT, seen)


def frozen_findings(
    ctx: Context,
    rescuable: set[str],
    rescued: list[tuple[str, str, str, dt.date]],
    cancelled: list[tuple[str, str, str, dt.date]],
) -> list[Finding]:
    """``rescued``/``cancelled``: (session id, child, worker, day) of rule 8's exception."""
    out: list[Finding] = []
    existing = {s.id: s for s in ctx.instance.existing_sessions}
    for sid, child, worker, day in rescued:
        original = existing[sid]
        cause = _frozen_cause(ctx, original.worker, original.with_worker, child, day)
        out.append(
            Finding(
                "FROZEN_CHANGE",
                HIGH,
                child,
                worker,
                sid,
                day,
                day,
                f"{child}'s fixed session on {day_text(day)} moves from {original.worker} to "
                f"{worker} at the same time because {in_words(FROZEN_MESSAGES, cause)}.",
                reason_code=str(cause.reason),
            )
        )
    for sid, child, worker, day in cancelled:
        cause = _frozen_cause(ctx, worker, existing[sid].with_worker, child, day)
        instead = Reason.PLANNED_ELSEWHERE if sid in rescuable else Reason.NO_WORKER_FREE
        out.append(
            Finding(
                "FROZEN_CHANGE",
                HIGH,
                child,
                worker,
                sid,
                day,
                day,
                f"{child}'s fixed session on {day_text(day)} with {worker} is cancelled because "
                f"{in_words(FROZEN_MESSAGES, cause)} and "
                f"{in_words(FROZEN_MESSAGES, Cause(instead))}.",
                reason_code=str(cause.reason),
            )
        )
    return out


def _frozen_cause(
    ctx: Context, worker: str, partner: str | None, child: str, day: dt.date
) -> Cause:
    """Why a fixed session cannot stay as it was: its worker's problem, else its second
    worker's (a session is only rescued or cancelled where one of them has one)."""
    cause = ctx.session_problem(worker, child, day) or ctx.session_problem(partner, child, day)
    assert cause is not None, f"a fixed session of {child} on {day} moved without a problem"
    return cause

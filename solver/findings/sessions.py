"""Session findings: COVER, UNMET_SESSIONS and FROZEN_CHANGE."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from solver.context import Context
from solver.eligibility import weekly_capacity_minutes
from solver.findings.common import HIGH, MEDIUM, day_text, key_on, severity
from solver.solution import Allocation, Finding, PlannedSession
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
        if key is None:
            why = f"{s.child} has no key worker that day"
        else:
            problem = ctx.session_problem(key, s.child, day)
            if problem:
                why = problem
            else:
                worker = ctx.workers[key]
                week = monday(day)
                cap = weekly_capacity_minutes(worker, week)
                if minutes[(key, week)] + elapsed_minutes(s.start, s.end) > cap:
                    why = f"{key}'s hours for the week of {day_text(week)} are fully booked"
                else:
                    why = f"{key} has no free slot that {s.child} can make in that period"
        team, own = ctx.workers[s.worker].team, ctx.children[s.child].team
        role = "secondary worker" if s.worker == secondary else "cover worker"
        if team != own:
            role = f"cover worker from team {team}, as nobody in team {own} is free then"
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
                f"({role}) because {why}.",
            )
        )
    return out


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
            why = _unmet_reason(ctx, child, key, period.first_day, period.last_day)
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
                    f"{day_text(period.first_day)} to {day_text(period.last_day)} because {why}.",
                    plan_start=period.plan.start_date,
                    limit=period.required,
                )
            )
    return out


def _unmet_reason(ctx: Context, child: str, key: str | None, first: dt.date, last: dt.date) -> str:
    if key is None:
        return f"{child} has no key worker and no one else in the team is free"
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    open_days = [d for d in days if d >= ctx.today and d >= ctx.instance.horizon_start]
    # the days they would work: a closed Monday and Friday of a Mon/Fri worker is the
    # whole rest of their week
    working = [d for d in open_days if ctx.worker_spans(key, d.weekday())] or open_days
    away = [d for d in working if not ctx.at_work(key, d)]
    if working and len(away) == len(working):
        if all(ctx.closed_on(key, d) for d in away):
            return "the team is closed for the rest of the period and no cover worker is free"
        return f"{key} is away for the rest of the period and no cover worker is free"
    if not open_days:
        return "the period is already over"
    return f"{key} and the team have no free slot that {child} can make"


def frozen_findings(
    ctx: Context,
    rescuable: set[str],
    rescued: list[tuple[str, str, str, dt.date]],
    cancelled: list[tuple[str, str, str, dt.date]],
) -> list[Finding]:
    """``rescued``/``cancelled``: (session id, child, worker, day) of rule 8's exception."""
    out: list[Finding] = []
    existing = {s.id: s for s in ctx.instance.existing_sessions} if rescued else {}
    for sid, child, worker, day in rescued:
        original = existing[sid]
        why = ctx.session_problem(original.worker, child, day) or ctx.session_problem(
            original.with_worker, child, day
        )
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
                f"{worker} at the same time because {why}.",
            )
        )
    for sid, child, worker, day in cancelled:
        why = ctx.session_problem(worker, child, day)
        if sid in rescuable:
            instead = "its period's sessions are planned on other days instead"
        else:
            instead = "no eligible worker is free at that time"
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
                f"{why} and {instead}.",
            )
        )
    return out

"""Findings (SPEC "Alerts"): every break of goal 1 or 2 in a plan, with a reason.

Each finding is recomputed from the plan itself (so none is raised without a
break and none is missed) and its reason is read from the data that binds:
which rule rules the old worker out, whose absence or full week forces cover.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from solver.context import Context
from solver.eligibility import employed, may_hold_case, weekly_capacity_minutes
from solver.solution import Allocation, Finding, PlannedSession
from solver.timegrid import elapsed_minutes, monday

HIGH, MEDIUM, LOW = "high", "medium", "low"


def _severity(ctx: Context, child: str) -> str:
    return HIGH if ctx.children[child].risk == "high" else MEDIUM


def _day(day: dt.date) -> str:
    return day.isoformat()


def key_on(
    ctx: Context, allocations: dict[str, list[Allocation]], child: str, day: dt.date
) -> str | None:
    """The child's key worker on ``day``: the plan's inside the horizon, else the current one."""
    if day < ctx.instance.horizon_start:
        return ctx.children[child].current_key_worker
    for alloc in allocations.get(child, []):
        if alloc.start <= day <= alloc.end:
            return alloc.key_worker
    return None


def change_reason(
    ctx: Context,
    *,
    child: str,
    old: str | None,
    day: dt.date,
    caseload: dict[tuple[str, dt.date], int],
    overflow: dict[str, int],
) -> str:
    """Why ``old`` cannot stay key worker for ``child`` from ``day``."""
    kid = ctx.children[child]
    if old is not None and old in kid.excluded_workers:
        # First: an exclusion is the child's own request to change (SPEC children.csv),
        # and it binds whatever else (a pin, an absence) also holds.
        return f"{child} has excluded {old} (excluded_workers)"
    if kid.key_worker_change_reason and day == ctx.in_force[child][0]:
        return f"the case record changed it ({kid.key_worker_change_reason})"
    if kid.pinned_worker and kid.pinned_worker != old:
        since = f" from {kid.pinned_from}" if kid.pinned_from else ""
        return f"{child} was pinned to {kid.pinned_worker}{since} by the manager"
    if old is None:
        return "there was no key worker before"
    worker = ctx.workers.get(old)
    if worker is None:
        return f"{old} is no longer a worker"
    if worker.end_date is not None and day > worker.end_date:
        return f"{old} leaves on {_day(worker.end_date)}"
    if worker.start_date is not None and day < worker.start_date:
        return f"{old} only starts on {_day(worker.start_date)}"
    if worker.team != kid.team:
        return f"{old} is no longer in team {kid.team}"
    problem = ctx.session_problem(old, child, day) if not may_hold_case(worker, kid) else None
    if problem:
        return problem.replace("lacks the required skill", "lacks the newly required skill")
    if caseload.get((old, day), 0) >= worker.max_caseload:
        return f"{old} is at the caseload limit of {worker.max_caseload}"
    if overflow.get(old, 0) > 0:
        return f"{old}'s weekly hours cannot hold all their children's sessions"
    return "the team's caseloads could not otherwise be met"


def allocation_findings(ctx: Context, allocations: dict[str, list[Allocation]]) -> list[Finding]:
    out: list[Finding] = []
    for child in ctx.planned:
        kid = ctx.children[child]
        for alloc in allocations.get(child, []):
            if alloc.key_worker is None:
                out.append(
                    Finding(
                        "UNALLOCATED",
                        HIGH,
                        child,
                        None,
                        None,
                        alloc.start,
                        alloc.end,
                        f"{child} has no key worker from {_day(alloc.start)} to "
                        f"{_day(alloc.end)} because {unallocated_reason(ctx, child, alloc.start)}.",
                    )
                )
            elif alloc.changed:
                before = _previous_key(allocations[child], alloc, kid.current_key_worker)
                arrow = f"{before} -> {alloc.key_worker}" if before else f"-> {alloc.key_worker}"
                out.append(
                    Finding(
                        "KEYWORKER_CHANGE",
                        _severity(ctx, child),
                        child,
                        alloc.key_worker,
                        None,
                        alloc.start,
                        alloc.start,
                        f"{child}: key worker {arrow} from {_day(alloc.start)} because "
                        f"{alloc.reason}.",
                    )
                )
    return out


def _previous_key(entries: list[Allocation], alloc: Allocation, current: str | None) -> str | None:
    before = current
    for entry in entries:
        if entry is alloc:
            return before
        if entry.key_worker is not None:
            before = entry.key_worker
    return before


def unallocated_reason(ctx: Context, child: str, day: dt.date) -> str:
    kid = ctx.children[child]
    team = [w for w in ctx.workers.values() if w.team == kid.team]
    if not team:
        return f"team {kid.team} has no workers"
    fit = [w for w in team if may_hold_case(w, kid)]
    if not fit:
        needs = sorted(kid.required_skills)
        what = []
        if needs:
            what.append(f"the skills {', '.join(needs)}")
        if kid.language:
            what.append(f"the language {kid.language}")
        need_text = " and ".join(what) or "an unexcluded worker"
        return f"no worker in team {kid.team} has {need_text}"
    present = [w for w in fit if employed(w, day)]
    if not present:
        return f"no eligible worker in team {kid.team} is employed then"
    return (
        f"all {len(fit)} eligible workers in team {kid.team} are at their caseload limit "
        f"({', '.join(w.ref for w in fit[:5])})"
    )


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
                    why = f"{key}'s hours for the week of {_day(week)} are fully booked"
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
                f"{s.child}'s session on {_day(day)} at {local:%H:%M} is covered by {s.worker} "
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
                    _severity(ctx, child),
                    child,
                    None,
                    None,
                    period.first_day,
                    period.last_day,
                    f"{child} gets {have} of {period.required} sessions in the period "
                    f"{_day(period.first_day)} to {_day(period.last_day)} because {why}.",
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


def contact_gap_findings(
    ctx: Context, allocations: dict[str, list[Allocation]], sessions: list[PlannedSession]
) -> list[Finding]:
    """SPEC ``CONTACT_GAP``: each stretch without a key-worker session that breaks the
    ``max_gap_days`` of the plan in force, dated from its first to its last day without
    contact (a stretch running to the horizon end ends on that day)."""
    by_child: dict[str, list[PlannedSession]] = defaultdict(list)
    for s in sessions:
        by_child[s.child].append(s)
    out: list[Finding] = []
    for child in ctx.planned:
        if not ctx.periods.get(child):
            continue
        days = ctx.in_force[child]
        first_key = key_on(ctx, allocations, child, days[0])
        anchor = ctx.contact_anchor(child, first_key)
        start_ref = gap_start(ctx, child, anchor)
        end_ref = min(ctx.instance.horizon_end, days[-1])
        contacts = sorted(
            {
                ctx.local_day(s.start)
                for s in by_child[child]
                if key_on(ctx, allocations, child, ctx.local_day(s.start))
                in (s.worker, s.with_worker)
                and ctx.local_day(s.start) >= start_ref
                and (anchor is None or ctx.local_day(s.start) > anchor)
                and ctx.local_day(s.start) >= ctx.instance.horizon_start
            }
        )
        for stretch in gap_stretches(
            ctx,
            child,
            start_ref=start_ref,
            start_is_contact=anchor is not None,
            contacts=contacts,
            end_ref=end_ref,
        ):
            first, last, limit, length = stretch
            key = key_on(ctx, allocations, child, max(first, ctx.instance.horizon_start))
            who = key or "a key worker"
            away = (
                [d for d in ctx.in_force[child] if first <= d <= last and not ctx.at_work(key, d)]
                if key
                else []
            )
            why = (
                _away_words(ctx, key, away)
                if key and away
                else "no slot with the key worker fits sooner"
            )
            out.append(
                Finding(
                    "CONTACT_GAP",
                    _severity(ctx, child),
                    child,
                    key,
                    None,
                    first,
                    last,
                    f"{child} goes {length} days without a session with {who} "
                    f"({_day(first)} to {_day(last)}, limit {limit}) because {why}.",
                    limit=limit,
                )
            )
    return out


def gap_start(ctx: Context, child: str, anchor: dt.date | None) -> dt.date:
    """Where a child's first gap is measured from: the last key-worker contact before now,
    else the later of the plan's first in-force day and the horizon start."""
    if anchor is not None:
        return anchor
    first_in_force = min(p.plan.start_date for p in ctx.periods[child])
    return max(first_in_force, ctx.instance.horizon_start)


def gap_stretches(
    ctx: Context,
    child: str,
    *,
    start_ref: dt.date,
    start_is_contact: bool,
    contacts: list[dt.date],
    end_ref: dt.date,
) -> list[tuple[dt.date, dt.date, int, int]]:
    """(first, last day without contact, limit broken, days) of each stretch too long.

    The limit on a day is the ``max_gap_days`` of the plan in force that day, so a
    stretch that starts under a weekly plan and runs into a fortnightly one is judged
    by each plan on its own days. Days with no plan in force have no limit.
    """
    out: list[tuple[dt.date, dt.date, int, int]] = []
    previous, previous_is_contact = start_ref, start_is_contact
    stops = list(contacts)
    if not stops or stops[-1] < end_ref:
        stops.append(end_ref)
    for stop in stops:
        is_contact = stop in contacts
        if stop <= previous:
            previous_is_contact = previous_is_contact or is_contact
            continue
        limit = None
        day = previous + dt.timedelta(days=1)
        while day <= stop:
            plan = ctx.plan_on(child, day)
            if plan is not None and (day - previous).days > plan.max_gap_days:
                limit = plan.max_gap_days
                break
            day += dt.timedelta(days=1)
        if limit is not None:
            first = previous + dt.timedelta(days=1) if previous_is_contact else previous
            last = stop - dt.timedelta(days=1) if is_contact else stop
            out.append((first, last, limit, (stop - previous).days))
        previous, previous_is_contact = stop, is_contact
    return out


def _away_words(ctx: Context, key: str, away: list[dt.date]) -> str:
    """Why the key worker cannot see the child on ``away``: their own absence, the
    team's closure (a bank holiday is not the worker's absence), or both."""
    closed = sum(1 for d in away if ctx.closed_on(key, d))
    if closed == len(away):
        return f"the team is closed on {closed} of those days"
    if closed == 0:
        return f"{key} is away on {len(away)} of those days"
    return f"{key} is away on {len(away) - closed} and the team closed on {closed} of those days"


def frozen_findings(
    ctx: Context,
    rescuable: set[str],
    rescued: list[tuple[str, str, str, dt.date]],
    cancelled: list[tuple[str, str, str, dt.date]],
) -> list[Finding]:
    """``rescued``/``cancelled``: (session id, child, worker, day) of rule 8's exception."""
    out: list[Finding] = []
    for sid, child, worker, day in rescued:
        original = next(s for s in ctx.instance.existing_sessions if s.id == sid)
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
                f"{child}'s fixed session on {_day(day)} moves from {original.worker} to "
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
                f"{child}'s fixed session on {_day(day)} with {worker} is cancelled because "
                f"{why} and {instead}.",
            )
        )
    return out


def leaving_findings(ctx: Context, allocations: dict[str, list[Allocation]]) -> list[Finding]:
    holders: dict[str, set[str]] = defaultdict(set)
    for child, entries in allocations.items():
        for a in entries:
            if a.key_worker is not None:
                holders[a.key_worker].add(child)
    for kid in ctx.children.values():
        if kid.current_key_worker is not None and kid.ref in ctx.in_force:
            holders[kid.current_key_worker].add(kid.ref)
    for alloc in ctx.instance.current_allocations:
        if alloc.key_worker is not None:
            holders[alloc.key_worker].add(alloc.child)
    out: list[Finding] = []
    hs, he = ctx.instance.horizon_start, ctx.instance.horizon_end
    for ref in sorted(holders):
        worker = ctx.workers.get(ref)
        if worker is None or worker.end_date is None or not hs <= worker.end_date <= he:
            continue
        children = sorted(holders[ref])
        out.append(
            Finding(
                "WORKER_LEAVING",
                MEDIUM,
                None,
                ref,
                None,
                worker.end_date,
                worker.end_date,
                f"{ref} leaves on {_day(worker.end_date)} and is key worker for "
                f"{', '.join(children)}; check the planned handovers.",
            )
        )
    return out

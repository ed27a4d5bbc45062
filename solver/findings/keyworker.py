"""Key-worker findings: UNALLOCATED, KEYWORKER_CHANGE (with the reason) and WORKER_LEAVING."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from solver.context import Context
from solver.eligibility import employed, may_hold_case
from solver.findings.common import HIGH, MEDIUM, day_text, severity
from solver.solution import Allocation, Finding


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
        return f"{old} leaves on {day_text(worker.end_date)}"
    if worker.start_date is not None and day < worker.start_date:
        return f"{old} only starts on {day_text(worker.start_date)}"
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
                        f"{child} has no key worker from {day_text(alloc.start)} to "
                        f"{day_text(alloc.end)} because "
                        f"{unallocated_reason(ctx, child, alloc.start)}.",
                    )
                )
            elif alloc.changed:
                before = _previous_key(allocations[child], alloc, kid.current_key_worker)
                arrow = f"{before} -> {alloc.key_worker}" if before else f"-> {alloc.key_worker}"
                out.append(
                    Finding(
                        "KEYWORKER_CHANGE",
                        severity(ctx, child),
                        child,
                        alloc.key_worker,
                        None,
                        alloc.start,
                        alloc.start,
                        f"{child}: key worker {arrow} from {day_text(alloc.start)} because "
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
                f"{ref} leaves on {day_text(worker.end_date)} and is key worker for "
                f"{', '.join(children)}; check the planned handovers.",
            )
        )
    return out

"""Key-worker findings: UNALLOCATED, KEYWORKER_CHANGE (with the reason) and WORKER_LEAVING."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from solver.allocation.changes import change_cause
from solver.context import Context
from solver.eligibility import employed, may_hold_case
from solver.findings.common import HIGH, MEDIUM, day_text, severity
from solver.findings.messages import change_message
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
    """Why ``old`` cannot stay key worker for ``child`` from ``day``, in words: for a
    change no paid term explains (the allocation's ``causes`` say it for the rest)."""
    return change_message(
        change_cause(ctx, child=child, old=old, day=day, caseload=caseload, overflow=overflow)
    )


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

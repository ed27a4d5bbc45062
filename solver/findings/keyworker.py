"""Key-worker findings: UNALLOCATED, KEYWORKER_CHANGE (with the reason) and WORKER_LEAVING.

Each reason is a ``Cause``: ``unallocated_cause`` for a child-block without a key
worker, the allocation's change cause for a change (``solver/allocation/changes.py``),
put in words by the kind's table in ``messages.py``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from solver.context import Context
from solver.eligibility import employed, may_hold_case
from solver.findings.common import HIGH, MEDIUM, day_text, severity
from solver.findings.messages import (
    LEAVING_MESSAGES,
    UNALLOCATED_MESSAGES,
    in_words,
)
from solver.solution import Allocation, Finding
from solver.terms import Cause, Fact, Reason


def allocation_findings(ctx: Context, allocations: dict[str, list[Allocation]]) -> list[Finding]:
    out: list[Finding] = []
    for child in ctx.planned:
        kid = ctx.children[child]
        for alloc in allocations.get(child, []):
            if alloc.key_worker is None:
                cause = unallocated_cause(ctx, child, alloc.start)
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
                        f"{in_words(UNALLOCATED_MESSAGES, cause)}.",
                        reason_code=str(cause.reason),
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
                        reason_code=alloc.reason_code,
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
    """``unallocated_cause`` in words."""
    return in_words(UNALLOCATED_MESSAGES, unallocated_cause(ctx, child, day))


def unallocated_cause(ctx: Context, child: str, day: dt.date) -> Cause:
    """Why ``child`` has no key worker from ``day``: the team is empty, nobody in it
    may hold the case (by what the child needs), nobody is employed then, or all
    who may are at their caseload limit."""
    kid = ctx.children[child]
    seen: dict[str, Fact] = {"child": child, "team": kid.team, "day": day}
    team = [w for w in ctx.workers.values() if w.team == kid.team]
    if not team:
        return Cause(Reason.NO_TEAM_WORKERS, seen)
    fit = [w for w in team if may_hold_case(w, kid)]
    if not fit:
        needs = ", ".join(sorted(kid.required_skills))
        needed: dict[str, Fact] = {**seen, "skills": needs, "language": kid.language}
        if needs and kid.language:
            return Cause(Reason.NO_SKILLED_SPEAKER, needed)
        if needs:
            return Cause(Reason.NO_SKILLED_WORKER, needed)
        if kid.language:
            return Cause(Reason.NO_SPEAKER, needed)
        return Cause(Reason.ALL_EXCLUDED, seen)
    present = [w for w in fit if employed(w, day)]
    if not present:
        return Cause(Reason.NONE_EMPLOYED, seen)
    return Cause(
        Reason.ALL_AT_LIMIT,
        {**seen, "count": len(fit), "workers": ", ".join(w.ref for w in fit[:5])},
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
        cause = Cause(
            Reason.LEFT,
            {"worker": ref, "end": worker.end_date, "children": ", ".join(sorted(holders[ref]))},
        )
        out.append(
            Finding(
                "WORKER_LEAVING",
                MEDIUM,
                None,
                ref,
                None,
                worker.end_date,
                worker.end_date,
                f"{in_words(LEAVING_MESSAGES, cause)}.",
                reason_code=str(cause.reason),
            )
        )
    return out

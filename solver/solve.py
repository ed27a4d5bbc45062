"""``solve``: allocation, then timetabling, then the plan, its findings and metrics."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable

from solver.allocation import AllocationResult, allocate, change_cause
from solver.candidates import Candidate
from solver.ceiling import key_worker_ceiling_pct
from solver.context import Context
from solver.findings import (
    allocation_findings,
    change_message,
    contact_gap_findings,
    cover_findings,
    frozen_findings,
    leaving_findings,
    unmet_findings,
)
from solver.ids import new_session_id
from solver.instance import ExistingSession, Instance, check_instance, in_utc
from solver.lexico import LevelResult
from solver.params import ALLOCATION_SHARE, FINISH_SECONDS_PER_CHILD, SolverParams
from solver.periods import period_key
from solver.solution import Allocation, Finding, GoalBound, Metrics, PlannedSession, Solution
from solver.terms import Cause
from solver.timetable import TimetableResult, timetable

KIND_ORDER = {
    "UNALLOCATED": 0,
    "KEYWORKER_CHANGE": 1,
    "FROZEN_CHANGE": 2,
    "UNMET_SESSIONS": 3,
    "CONTACT_GAP": 4,
    "COVER": 5,
    "WORKER_LEAVING": 6,
}


def solve(
    instance: Instance,
    params: SolverParams | None = None,
    progress: Callable[[str], None] | None = None,
) -> Solution:
    """Plan ``instance``: key-worker periods, every session, findings and metrics."""
    params = params or SolverParams()
    started = time.monotonic()
    say = progress or (lambda _message: None)
    check_instance(instance)
    instance = in_utc(instance)
    ctx = Context(instance)
    budget = params.budget(len(ctx.planned))
    say(f"allocating {len(ctx.planned)} planned children")
    alloc = allocate(ctx, params, budget.share(ALLOCATION_SHARE))
    say("timetabling sessions")
    # the work after the team timetables (the cross-team fill, findings) is Python:
    # kept back from the searches in proportion to the children, so the call keeps
    # near its nominal time limit
    finish = min(
        0.3, FINISH_SECONDS_PER_CHILD * len(ctx.planned) / params.seconds_for(len(ctx.planned))
    )
    table = timetable(ctx, alloc, params, budget.share((1 - ALLOCATION_SHARE) * (1 - finish)))
    solution = assemble(ctx, alloc, table, started)
    say(f"done in {solution.metrics.solve_seconds} s ({solution.status})")
    return solution


def assemble(
    ctx: Context, alloc: AllocationResult, table: TimetableResult, started: float
) -> Solution:
    """The plan from the two stages' decisions: allocations, sessions, findings, metrics.

    Also used by ``bench/greedy.py`` so that the baseline is scored the same way.
    """
    allocations = build_allocations(ctx, alloc)
    sessions, rescued, cancelled = build_sessions(ctx, allocations, table)
    by_child = defaultdict(list)
    for a in allocations:
        by_child[a.child].append(a)
    findings: list[Finding] = []
    findings += allocation_findings(ctx, by_child)
    findings += frozen_findings(ctx, table.rescuable, rescued, cancelled)
    findings += unmet_findings(ctx, by_child, sessions)
    findings += contact_gap_findings(ctx, by_child, sessions)
    findings += cover_findings(ctx, by_child, sessions)
    findings += leaving_findings(ctx, by_child)
    findings.sort(key=lambda f: (KIND_ORDER[f.kind], f.start, f.child or "", f.session or ""))
    seconds = round(time.monotonic() - started, 2)
    metrics = build_metrics(ctx, allocations, sessions, findings, seconds)
    bounds = sum_bounds("allocation", alloc.levels) + sum_bounds("timetable", table.levels)
    status = "OPTIMAL" if bounds and all(b.optimal for b in bounds) else "FEASIBLE"
    clock_stopped = any(r.clock_stopped for part in alloc.levels + table.levels for r in part)
    return Solution(
        tuple(allocations),
        tuple(sessions),
        tuple(findings),
        metrics,
        status,
        bounds,
        clock_stopped=clock_stopped,
    )


def sum_bounds(stage: str, parts: list[list[LevelResult]]) -> tuple[GoalBound, ...]:
    totals: dict[int, GoalBound] = {}
    for levels in parts:
        for r in levels:
            prev = totals.get(r.level)
            if prev is None:
                totals[r.level] = GoalBound(stage, r.level, r.name, r.value, r.bound, r.optimal)
            else:
                totals[r.level] = GoalBound(
                    stage,
                    r.level,
                    r.name,
                    prev.value + r.value,
                    prev.bound + r.bound,
                    prev.optimal and r.optimal,
                )
    return tuple(totals[k] for k in sorted(totals))


def build_allocations(ctx: Context, alloc: AllocationResult) -> list[Allocation]:
    """Key-worker periods: runs of consecutive in-force days with the same key and secondary."""
    caseload: dict[tuple[str, dt.date], int] = defaultdict(int)
    for days in alloc.by_child.values():
        for day, (key, _) in days.items():
            if key is not None:
                caseload[(key, day)] += 1
    out: list[Allocation] = []
    for child in ctx.planned:
        kid = ctx.children[child]
        days = alloc.by_child.get(child, {})
        runs: list[list[dt.date]] = []
        for day in ctx.in_force[child]:
            pair = days.get(day, (None, None))
            if (
                runs
                and (day - runs[-1][-1]).days == 1
                and days.get(runs[-1][-1], (None, None)) == pair
            ):
                runs[-1].append(day)
            else:
                runs.append([day])
        previous = kid.current_key_worker
        since = kid.key_worker_since
        for position, run in enumerate(runs):
            key, sec = days.get(run[0], (None, None))
            changed = False
            reason = code = None
            if key is not None:
                if (position == 0 and kid.key_worker_change_reason) or (
                    previous is not None and key != previous
                ):
                    changed = True
                if key != previous or since is None:
                    since = run[0] if key != kid.current_key_worker else kid.key_worker_since
                if changed:
                    cause = _change_cause(
                        ctx, alloc, caseload, child=child, old=previous, day=run[0]
                    )
                    reason, code = change_message(cause), str(cause.reason)
                previous = key
            out.append(
                Allocation(
                    child, key, sec, run[0], run[-1], since if key else None, changed, reason, code
                )
            )
    return out


def _change_cause(
    ctx: Context,
    alloc: AllocationResult,
    caseload: dict[tuple[str, dt.date], int],
    *,
    child: str,
    old: str | None,
    day: dt.date,
) -> Cause:
    """Why ``child``'s key worker changed from ``old`` on ``day``: the cause of the change
    the allocation paid for, else (a change made after the search, or a greedy plan's)
    the rule or load that the plan's facts show."""
    cause = alloc.causes.get((child, day))
    if cause is not None and cause.facts.get("old") == old:
        return cause
    return change_cause(
        ctx, child=child, old=old, day=day, caseload=caseload, overflow=alloc.overflow_minutes
    )


def _key_for(
    ctx: Context, by_child: dict[str, list[Allocation]], child: str, day: dt.date
) -> str | None:
    if day < ctx.instance.horizon_start:
        return ctx.children[child].current_key_worker
    for a in by_child.get(child, []):
        if a.start <= day <= a.end:
            return a.key_worker
    return None


Frozen = tuple[str, str, str, dt.date]


def build_sessions(
    ctx: Context, allocations: list[Allocation], table: TimetableResult
) -> tuple[list[PlannedSession], list[Frozen], list[Frozen]]:
    """Every session of the plan (kept, rescued, new), with the fixed sessions rescued
    and those cancelled (rule 8's findings)."""
    plan = _Sessions(ctx, allocations)
    for s in table.kept:
        plan.add(s.id, s.child, s.worker, s.with_worker, start=s.start, end=s.end, locked=s.locked)
    rescued: list[Frozen] = []
    new: list[Candidate] = []
    existing = {s.id: s for s in ctx.instance.existing_sessions}
    for cand in table.chosen:
        if cand.rescue_of is not None:
            original = existing[cand.rescue_of]
            plan.add(
                original.id,
                cand.child,
                cand.worker,
                cand.with_worker,
                start=original.start,
                end=original.end,
                locked=original.locked,
            )
            rescued.append((original.id, cand.child, cand.worker, cand.day))
        else:
            new.append(cand)
    cancelled = [(s.id, s.child, s.worker, ctx.local_day(s.start)) for s in table.cancelled]
    plan.add_new(new)
    plan.out.sort(key=lambda s: (s.start, s.child, s.id))
    return plan.out, rescued, cancelled


class _Sessions:
    """The plan's sessions as they are built: each with its cover flag, by the key
    worker of its day."""

    def __init__(self, ctx: Context, allocations: list[Allocation]) -> None:
        self.ctx = ctx
        self.by_child: dict[str, list[Allocation]] = defaultdict(list)
        for a in allocations:
            self.by_child[a.child].append(a)
        inst = ctx.instance
        self.taken = {s.id for s in inst.existing_sessions} | set(inst.retired_session_ids)
        self.out: list[PlannedSession] = []

    def add(
        self,
        sid: str,
        child: str,
        worker: str,
        with_worker: str | None,
        *,
        start: dt.datetime,
        end: dt.datetime,
        locked: bool,
    ) -> None:
        day = self.ctx.local_day(start)
        key = _key_for(self.ctx, self.by_child, child, day)
        cover = key is None or key not in (worker, with_worker)
        past = start < self.ctx.instance.now
        self.out.append(
            PlannedSession(sid, child, worker, with_worker, start, end, past, locked, cover)
        )

    def add_new(self, new: list[Candidate]) -> None:
        """The new sessions, period by period: an exact match keeps its id; a moved
        session keeps the id of the one it replaces; the rest get fresh ids."""
        ctx = self.ctx
        movable: dict[tuple[str, dt.date, int], list[ExistingSession]] = defaultdict(list)
        for child, sessions in ctx.movable_sessions.items():
            for s in sessions:
                period = ctx.period_of(child, ctx.local_day(s.start))
                if period is not None:
                    movable[period_key(period)].append(s)
        by_period: dict[tuple[str, dt.date, int], list[Candidate]] = defaultdict(list)
        for cand in new:
            by_period[period_key(cand.period)].append(cand)
        for pk in sorted(by_period, key=lambda k: (k[0], k[1], k[2])):
            chosen = sorted(by_period[pk], key=lambda c: c.start)
            assigned = _reused_ids(chosen, list(movable.get(pk, [])))
            ordinal = 0
            for i, cand in enumerate(chosen):
                sid = assigned.get(i)
                if sid is None:
                    sid = new_session_id(
                        cand.child, pk[1], cand.period.first_day, ordinal, self.taken
                    )
                    ordinal += 1
                self.add(
                    sid,
                    cand.child,
                    cand.worker,
                    cand.with_worker,
                    start=cand.start,
                    end=cand.end,
                    locked=False,
                )


def _reused_ids(chosen: list[Candidate], olds: list[ExistingSession]) -> dict[int, str]:
    """Which of a period's ``chosen`` sessions keep an existing id: exact matches first,
    then the remaining old sessions in time order."""
    exact = {(s.worker, s.with_worker, s.start): s for s in olds}
    assigned: dict[int, str] = {}
    for i, cand in enumerate(chosen):
        match = exact.pop((cand.worker, cand.with_worker, cand.start), None)
        if match is not None:
            assigned[i] = match.id
    free = [s for s in olds if s.id not in assigned.values()]
    free.sort(key=lambda s: s.start)
    for i in range(len(chosen)):
        if i not in assigned and free:
            assigned[i] = free.pop(0).id
    return assigned


def build_metrics(
    ctx: Context,
    allocations: list[Allocation],
    sessions: list[PlannedSession],
    findings: list[Finding],
    seconds: float,
) -> Metrics:
    unallocated = {a.child for a in allocations if a.key_worker is None}
    counts: dict[tuple[str, dt.date, int], int] = defaultdict(int)
    for s in sessions:
        period = ctx.period_of(s.child, ctx.local_day(s.start))
        if period is not None:
            counts[period_key(period)] += 1
    required = scheduled = 0
    for child in ctx.planned:
        for period in ctx.periods.get(child, []):
            if period.ends_in_horizon:
                required += period.required
                scheduled += min(period.required, counts[period_key(period)])
    hs, he = ctx.instance.horizon_start, ctx.instance.horizon_end
    current = [s for s in sessions if not s.past and hs <= ctx.local_day(s.start) <= he]
    pct = (
        100.0
        if not current
        else round(100.0 * sum(1 for s in current if not s.cover) / len(current), 1)
    )
    return Metrics(
        children=len(ctx.planned),
        allocated=len(ctx.planned) - len(unallocated),
        keyworker_changes=sum(1 for f in findings if f.kind == "KEYWORKER_CHANGE"),
        sessions_required=required,
        sessions_scheduled=scheduled,
        sessions_with_key_worker_pct=pct,
        solve_seconds=seconds,
        key_worker_ceiling_pct=key_worker_ceiling_pct(ctx, allocations, sessions),
    )

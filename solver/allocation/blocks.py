"""The allocation's time blocks (eligibility is constant inside one), each child's
weekly load, and the current plan's view of them (the re-plan's pins)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import NamedTuple

from ortools.sat.python import cp_model

from solver.context import Context
from solver.lexico import LevelResult
from solver.terms import Cause, Paid

DayAlloc = tuple[str | None, str | None]


@dataclass
class AllocationResult:
    by_child: dict[str, dict[dt.date, DayAlloc]] = field(default_factory=dict)
    levels: list[list[LevelResult]] = field(default_factory=list)
    overflow_minutes: dict[str, int] = field(default_factory=dict)
    # what the solution paid, every team's terms (solver/terms.py), and the cause of
    # each key-worker change it paid for, by child and the new key worker's first day;
    # a change without one (filled after the search, or a greedy plan's) is explained
    # from the plan's facts (solver/findings)
    paid: list[Paid] = field(default_factory=list)
    causes: dict[tuple[str, dt.date], Cause] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Block:
    first: dt.date
    last: dt.date

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def team_blocks(ctx: Context, team_workers: list[str], team_children: list[str]) -> list[Block]:
    hs, he = ctx.instance.horizon_start, ctx.instance.horizon_end
    cuts = {hs}
    for ref in team_workers:
        w = ctx.workers[ref]
        if w.start_date is not None and hs < w.start_date <= he:
            cuts.add(w.start_date)
        if w.end_date is not None and hs <= w.end_date < he:
            cuts.add(w.end_date + dt.timedelta(days=1))
    children = set(team_children)
    for ref in team_children:  # a pin from a date: the change happens on that day
        pinned_from = ctx.children[ref].pinned_from
        if pinned_from is not None and hs < pinned_from <= he:
            cuts.add(pinned_from)
    entries: dict[str, list[tuple[dt.date, str | None]]] = {}
    for alloc in ctx.instance.current_allocations:
        if alloc.child in children:
            entries.setdefault(alloc.child, []).append((alloc.start, alloc.key_worker))
    for runs in entries.values():  # where the current plan changes key worker
        runs.sort(key=lambda r: r[0])
        for (_, before), (day, after) in itertools.pairwise(runs):
            if before != after and hs < day <= he:
                cuts.add(day)
    ordered = sorted(cuts)
    ends = [d - dt.timedelta(days=1) for d in ordered[1:]] + [he]
    return [Block(a, b) for a, b in zip(ordered, ends, strict=True)]


def weekly_load(ctx: Context, child: str, day: dt.date) -> int:
    plan = ctx.plan_on(child, day)
    if plan is None:
        return 0
    return -(-plan.sessions * plan.session_minutes // plan.every_weeks)


def pattern_slots(ctx: Context, worker: str, child: str) -> int:
    """Sessions a week that fit both the worker's and the child's windows (30 min travel)."""
    plan = ctx.plan_on(child, ctx.in_force[child][0])
    return ctx.weekly_slots(worker, child, plan.session_minutes if plan else 60)


def quarter_sessions(ctx: Context, child: str) -> int:
    plan = ctx.plan_on(child, ctx.in_force[child][0])
    if plan is None:
        return 0
    return max(1, round(4 * plan.sessions / plan.every_weeks))


def current_allocation_map(ctx: Context) -> dict[tuple[str, dt.date], DayAlloc]:
    out: dict[tuple[str, dt.date], DayAlloc] = {}
    for alloc in ctx.instance.current_allocations:
        day = alloc.start
        while day <= alloc.end:
            out[(alloc.child, day)] = (alloc.key_worker, alloc.secondary_worker)
            day += dt.timedelta(days=1)
    return out


class TeamAllocation(NamedTuple):
    """One team's allocation, as ``solve_team`` hands it back (across processes too)."""

    by_child: dict[str, dict[dt.date, DayAlloc]]
    levels: list[LevelResult]
    overflow: dict[str, int]  # minutes a week over capacity, per worker
    paid: list[Paid]  # what the team's solution paid (solver/terms.py)
    causes: dict[tuple[str, dt.date], Cause]  # why each paid key-worker change happened


def pinned_keys(
    ctx: Context,
    child_blocks: dict[str, list[int]],
    key_by: dict[tuple[str, int], dict[str, cp_model.IntVar]],
    block_days: dict[tuple[str, int], list[dt.date]],
    current: dict[tuple[str, dt.date], DayAlloc],
) -> dict[tuple[str, int], str]:
    """Key workers a re-plan keeps (goal 3): in each block, the key worker the current
    plan names where they may still hold the case; other blocks are free."""
    if not ctx.instance.current_allocations:
        return {}
    out: dict[tuple[str, int], str] = {}
    for child, blist in child_blocks.items():
        for b in blist:
            key = current.get((child, block_days[(child, b)][0]), (None, None))[0]
            if key is not None and key in key_by[(child, b)]:
                out[(child, b)] = key
    return out

"""The allocation stage: who is each child's key worker and secondary worker on which days.

One lexicographic CP-SAT model per team (key and secondary workers are of the
child's team, rule 3, so the split is exact). The horizon is cut into blocks at
the days a worker starts or leaves; inside a block eligibility is constant.

Levels: 1 unallocated child-days; 2 continuity (key-worker changes, a change to
someone the child does not know, hours (net of absences) or after-school slots
over capacity that would force cover, a new key worker who will be absent or a
leaver's successor with no joint handover slot: solver/presence.py); 3
stability against the current plan's allocations; 4 the child's wishes and even
caseloads. The search starts from what a manager would do (keep the key worker
while they have room, else the least-loaded eligible worker the child knows).
Secondary workers are then named by a small model of their own
(solver/secondary.py): the current one where still eligible, else someone the
child knows, then cover, fit and an even spread.

Re-planning (goal 3): where the current plan names a key worker for a block who
may still hold the case, that choice is pinned; blocks without one (a leaver's
days, new days at the horizon end, a new child) are solved around the pins. If
the pins are infeasible (a worker's caseload limit fell), the team is solved
without them, paying level 3 for each change. After the search, any child-block
still without a key worker gets one where someone eligible has room (goal 1),
so that the next night's re-plan does not find that gain and churn the plan.

Every term carries a reason code and its facts (solver/terms.py); after the
search the team reads back what its solution paid, and the cause of each
key-worker change it paid for (solver/allocation/changes.py) goes with the result
to the findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

from ortools.sat.python import cp_model

from solver.allocation.blocks import (
    AllocationResult,
    DayAlloc,
    TeamAllocation,
    pattern_slots,
    pinned_keys,
)
from solver.allocation.changes import paid_causes
from solver.allocation.objectives import add_relationship_terms
from solver.allocation.team import TeamModel
from solver.budget import Budget
from solver.context import Context, TeamPart, team_parts
from solver.errors import SolverError
from solver.flow_start import flow_keys
from solver.lexico import replace_hints, solve_lexicographic
from solver.parallel import run_parts
from solver.params import ALLOCATION_LEVEL_SHARES, SECONDARY_SHARE, SolverParams
from solver.secondary import TeamBlocks, choose_secondaries
from solver.terms import paid
from solver.weights import risk_weight


def solve_team(
    ctx: Context, part: TeamPart, budget: Budget, cp_workers: int, params: SolverParams
) -> TeamAllocation:
    """The team's allocation; a re-plan first keeps the current key workers (pinned),
    and solves without the pins only if that is infeasible (a worker's caseload fell)."""
    try:
        return solve_team_model(ctx, part, budget, cp_workers, params, pin=True)
    except SolverError:
        return solve_team_model(ctx, part, budget, cp_workers, params, pin=False)


def solve_team_model(
    ctx: Context,
    part: TeamPart,
    budget: Budget,
    cp_workers: int,
    params: SolverParams,
    *,
    pin: bool,
) -> TeamAllocation:
    team = TeamModel.build(ctx, part)
    wanted, new_cost = add_relationship_terms(
        team.model,
        ctx,
        blocks=team.blocks,
        child_blocks=team.child_blocks,
        block_days=team.block_days,
        key_by=team.key_by,
        allocated=team.allocated,
        presence=team.presence,
        current=team.current,
        levels=(team.continuity, team.stability, team.wishes),
    )
    hints = _start(team, wanted, new_cost)
    if pin:
        for (child, b), w in pinned_keys(
            ctx, team.child_blocks, team.key_by, team.block_days, team.current
        ).items():
            team.model.add(team.key_by[(child, b)][w] == 1)
    team.continuity.restart_hint = hints  # level 1's optimum says nothing about continuity
    lex = solve_lexicographic(
        team.model,
        team.levels,
        budget=budget.share(1 - SECONDARY_SHARE),
        num_workers=cp_workers,
        seed=params.random_seed,
        log=params.log_search,
        stage=f"allocation {part.team}",
        shares=ALLOCATION_LEVEL_SHARES,
    )
    keys: dict[tuple[str, int], str | None] = {
        (child, b): next((w for w, v in options.items() if lex.is_true(v)), None)
        for (child, b), options in team.key_by.items()
    }
    gained = fill_unallocated(
        ctx, keys, team.key_by, team.block_days, team.child_blocks, new_cost=new_cost
    )
    levels = [
        replace(r, value=r.value - gained, bound=min(r.bound, r.value - gained))
        if r.level == 1 and gained
        else r
        for r in lex.levels
    ]
    seconds_of, spread_by_clock = choose_secondaries(
        TeamBlocks(
            ctx=ctx,
            part=part,
            blocks=team.blocks,
            child_blocks=team.child_blocks,
            block_days=team.block_days,
            keys=keys,
            current=team.current,
            weekly_of=team.weekly_of,
            shared_slots=lambda w, child: pattern_slots(ctx, w, child),
        ),
        seed=params.random_seed,
        log=params.log_search,
        budget=budget.share(SECONDARY_SHARE),
    )
    if spread_by_clock and levels:
        levels[-1] = replace(levels[-1], clock_stopped=True)
    overflow = _overflow(team, keys)
    team_paid = paid(team.levels, lex.values)
    causes = paid_causes(ctx, team_paid, keys=keys, block_days=team.block_days, overflow=overflow)
    return TeamAllocation(_by_child(team, keys, seconds_of), levels, overflow, team_paid, causes)


def _start(
    team: TeamModel,
    wanted: dict[tuple[str, int], str],
    new_cost: dict[tuple[str, int, str], int],
) -> list[tuple[cp_model.IntVar, int]]:
    """Hint what a manager would do (solver/flow_start.py); returns the hints."""
    start = flow_keys(
        team.ctx,
        blocks=len(team.blocks),
        child_blocks=team.child_blocks,
        block_days=team.block_days,
        options={cb: list(options) for cb, options in team.key_by.items()},
        wanted=wanted,
        weekly_of=team.weekly_of,
        presence=team.presence,
        new_cost=new_cost,
    )
    hints = [
        (var, int(start.get((child, b)) == w))
        for (child, b), options in team.key_by.items()
        for w, var in options.items()
    ]
    replace_hints(team.model, hints)
    return hints


def _by_child(
    team: TeamModel,
    keys: dict[tuple[str, int], str | None],
    seconds_of: Mapping[tuple[str, int], str],
) -> dict[str, dict[dt.date, DayAlloc]]:
    """Each child's key and secondary worker by day."""
    by_child: dict[str, dict[dt.date, DayAlloc]] = {}
    for child, blist in team.child_blocks.items():
        days_map: dict[dt.date, DayAlloc] = {}
        for b in blist:
            for day in team.block_days[(child, b)]:
                days_map[day] = (keys[(child, b)], seconds_of.get((child, b)))
        by_child[child] = days_map
    return by_child


def _overflow(team: TeamModel, keys: dict[tuple[str, int], str | None]) -> dict[str, int]:
    """Minutes a week over capacity, from the decisions (not from the free overflow
    variables, which may sit anywhere below their 15-minute unit)."""
    weekly_by: dict[tuple[str, int], int] = {}
    for (child, b), holder in keys.items():
        if holder is not None:
            minutes = team.presence[(holder, b)].load(team.weekly_of[(child, b)])
            weekly_by[(holder, b)] = weekly_by.get((holder, b), 0) + minutes
    overflow: dict[str, int] = {}
    for w, cap, b in team.overflow_vars:
        overflow[w] = max(overflow.get(w, 0), weekly_by.get((w, b), 0) - cap, 0)
    return overflow


def fill_unallocated(
    ctx: Context,
    keys: dict[tuple[str, int], str | None],
    key_by: dict[tuple[str, int], dict[str, cp_model.IntVar]],
    block_days: dict[tuple[str, int], list[dt.date]],
    child_blocks: dict[str, list[int]],
    *,
    new_cost: dict[tuple[str, int, str], int],
) -> int:
    """Give a key worker to every child-block still without one where someone eligible
    has room under their caseload on each of its days (goal 1 before all else; the
    search may stop before it finds them), preferring continuity, then someone who
    will be there. Changes ``keys``; returns the level-1 gain."""
    load: dict[tuple[str, dt.date], int] = {}
    for (child, b), w in keys.items():
        if w is not None:
            for day in block_days[(child, b)]:
                load[(w, day)] = load.get((w, day), 0) + 1
    missing = sorted(
        (cb for cb, w in keys.items() if w is None and key_by[cb]),
        key=lambda cb: (-risk_weight(ctx.children[cb[0]]), cb[0], cb[1]),
    )
    gained = 0
    for child, b in missing:
        kid = ctx.children[child]
        days = block_days[(child, b)]
        near = {keys.get((child, x)) for x in child_blocks[child] if abs(x - b) == 1}
        options = sorted(
            key_by[(child, b)],
            key=lambda w: (
                w not in near and w != kid.current_key_worker,
                new_cost.get((child, b, w), 0),
                w not in kid.known_workers,
                max(load.get((w, d), 0) for d in days),
                w,
            ),
        )
        for w in options:
            if all(load.get((w, d), 0) < ctx.workers[w].max_caseload for d in days):
                keys[(child, b)] = w
                for d in days:
                    load[(w, d)] = load.get((w, d), 0) + 1
                gained += risk_weight(kid) * len(days)
                break
    return gained


def allocate(ctx: Context, params: SolverParams, budget: Budget) -> AllocationResult:
    """Key and secondary worker for every planned child and in-force horizon day."""
    parts = team_parts(ctx)
    sizes = [len(p.children) for p in parts]
    outputs = run_parts(
        parts,
        sizes,
        budget,
        params.num_workers,
        lambda part, share, cpw: solve_team(ctx, part, share, cpw, params),
        use_processes=params.use_processes,
    )
    result = AllocationResult()
    for out in outputs:
        result.by_child.update(out.by_child)
        result.levels.append(out.levels)
        result.overflow_minutes.update(out.overflow)
        result.paid.extend(out.paid)
        result.causes.update(out.causes)
    return result

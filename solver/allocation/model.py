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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ortools.sat.python import cp_model

from solver.allocation.blocks import (
    AllocationResult,
    DayAlloc,
    TeamAllocation,
    current_allocation_map,
    pattern_slots,
    pinned_keys,
    team_blocks,
    weekly_load,
)
from solver.allocation.caseload import add_caseload
from solver.allocation.objectives import add_even_caseloads, add_relationship_terms, slot_capacity
from solver.assignment import GapProblem, add_assignment
from solver.budget import Budget
from solver.context import Context, TeamPart, team_parts
from solver.eligibility import employed, may_hold_case
from solver.errors import SolverError
from solver.flow_start import flow_keys
from solver.lexico import Level, replace_hints, solve_lexicographic
from solver.parallel import run_parts
from solver.params import ALLOCATION_LEVEL_SHARES, SECONDARY_SHARE, SolverParams
from solver.presence import Presence, block_presence
from solver.secondary import TeamBlocks, choose_secondaries
from solver.weights import OVER_QUARTER_WEIGHT, UNALLOCATED_DAY_WEIGHT, risk_weight


def solve_team(
    ctx: Context, part: TeamPart, budget: Budget, cp_workers: int, params: SolverParams
) -> TeamAllocation:
    """The team's allocation; a re-plan first keeps the current key workers (pinned),
    and solves without the pins only if that is infeasible (a worker's caseload fell)."""
    try:
        return solve_team_model(ctx, part, budget, cp_workers, params, pin=True)
    except SolverError:
        return solve_team_model(ctx, part, budget, cp_workers, params, pin=False)


def solve_team_model(  # noqa: PLR0912, PLR0915 - the team model built block by block; to split further with #14
    ctx: Context,
    part: TeamPart,
    budget: Budget,
    cp_workers: int,
    params: SolverParams,
    *,
    pin: bool,
) -> TeamAllocation:
    model = cp_model.CpModel()
    blocks = team_blocks(ctx, part.workers, part.children)
    current = current_allocation_map(ctx)
    unallocated = Level(1, "unallocated child-days")
    continuity = Level(2, "key-worker changes and cover pressure")
    stability = Level(3, "allocation changes against the current plan")
    wishes = Level(4, "wishes and even caseloads")

    key_vars: dict[tuple[str, str, int], cp_model.IntVar] = {}
    key_by: dict[tuple[str, int], dict[str, cp_model.IntVar]] = {}
    child_blocks: dict[str, list[int]] = {}
    block_days: dict[tuple[str, int], list[dt.date]] = {}
    overflow_vars: list[tuple[str, int, int]] = []  # (worker, capacity, block)
    weekly_of: dict[tuple[str, int], int] = {}
    presence: dict[tuple[str, int], Presence] = {}  # absences, read once per (worker, block)

    for b, block in enumerate(blocks):
        present = [
            ref
            for ref in part.workers
            if employed(ctx.workers[ref], block.first)
            and employed(ctx.workers[ref], block.last)
            and ctx.workers[ref].max_caseload > 0
        ]
        for w in present:
            presence[(w, b)] = block_presence(ctx, w, block.first, block.last)
        jobs: list[str] = []
        load: dict[tuple[str, str], int] = {}
        for child in part.children:
            force = set(ctx.in_force[child])
            days = [d for d in block.days() if d in force]
            if not days:
                continue
            kid = ctx.children[child]
            candidates = [w for w in present if may_hold_case(ctx.workers[w], kid)]
            pin_holds = kid.pinned_from is None or block.first >= kid.pinned_from
            if kid.pinned_worker in candidates and pin_holds:
                candidates = [kid.pinned_worker]
            jobs.append(child)
            key_by[(child, b)] = {}
            child_blocks.setdefault(child, []).append(b)
            block_days[(child, b)] = days
            weekly = weekly_load(ctx, child, days[0])
            weekly_of[(child, b)] = weekly
            for w in candidates:
                load[(w, child)] = presence[(w, b)].load(weekly)
        # rule 6 net of absences (solver/presence.py)
        capacity = {w: presence[(w, b)].capacity for w in present}
        problem = GapProblem(tuple(present), tuple(jobs), load, {}, capacity)
        assign = add_assignment(
            model, problem, allow_unassigned=True, soft_capacity=True, prefix=f"key{b}"
        )
        weeks = max(1, round(len(block.days()) / 7))
        for w, over in assign.overflow.items():
            # 15 minutes a week over capacity ~ a quarter of a cover session
            unit = model.new_int_var(0, 10_000, f"over15[{w},{b}]")
            model.add(15 * unit >= over)
            continuity.add(unit, OVER_QUARTER_WEIGHT * weeks)
            overflow_vars.append((w, capacity[w], b))
        for (w, child), var in assign.x.items():
            key_vars[(child, w, b)] = var
            key_by[(child, b)][w] = var
        for child, flag in assign.unassigned.items():
            kid = ctx.children[child]
            unallocated.add(
                flag, UNALLOCATED_DAY_WEIGHT * risk_weight(kid) * len(block_days[(child, b)])
            )
        slot_capacity(
            ctx,
            model=model,
            jobs=jobs,
            present=present,
            key_by=key_by,
            block=b,
            continuity=continuity,
            weeks=weeks,
        )
        add_caseload(
            model,
            ctx,
            block=block,
            b=b,
            present=present,
            jobs=jobs,
            block_days=block_days,
            key_vars=key_vars,
        )
        add_even_caseloads(model, b=b, present=present, jobs=jobs, key_vars=key_vars, wishes=wishes)

    wanted, new_cost = add_relationship_terms(
        model,
        ctx,
        blocks=blocks,
        child_blocks=child_blocks,
        block_days=block_days,
        key_by=key_by,
        presence=presence,
        current=current,
        levels=(continuity, stability, wishes),
    )

    start = flow_keys(
        ctx,
        blocks=len(blocks),
        child_blocks=child_blocks,
        block_days=block_days,
        options={cb: list(options) for cb, options in key_by.items()},
        wanted=wanted,
        weekly_of=weekly_of,
        presence=presence,
        new_cost=new_cost,
    )
    hints = [
        (var, int(start.get((child, b)) == w))
        for (child, b), options in key_by.items()
        for w, var in options.items()
    ]
    replace_hints(model, hints)
    if pin:
        for (child, b), w in pinned_keys(ctx, child_blocks, key_by, block_days, current).items():
            model.add(key_by[(child, b)][w] == 1)
    continuity.restart_hint = hints  # level 1's optimum says nothing about continuity
    lex = solve_lexicographic(
        model,
        [unallocated, continuity, stability, wishes],
        budget=budget.share(1 - SECONDARY_SHARE),
        num_workers=cp_workers,
        seed=params.random_seed,
        log=params.log_search,
        stage=f"allocation {part.team}",
        shares=ALLOCATION_LEVEL_SHARES,
    )
    keys = {
        (child, b): next((w for w, v in options.items() if lex.is_true(v)), None)
        for (child, b), options in key_by.items()
    }
    gained = fill_unallocated(ctx, keys, key_by, block_days, child_blocks, new_cost=new_cost)
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
            blocks=blocks,
            child_blocks=child_blocks,
            block_days=block_days,
            keys=keys,
            current=current,
            weekly_of=weekly_of,
            shared_slots=lambda w, child: pattern_slots(ctx, w, child),
        ),
        seed=params.random_seed,
        log=params.log_search,
        budget=budget.share(SECONDARY_SHARE),
    )
    by_child: dict[str, dict[dt.date, DayAlloc]] = {}
    for child, blist in child_blocks.items():
        days_map: dict[dt.date, DayAlloc] = {}
        for b in blist:
            for day in block_days[(child, b)]:
                days_map[day] = (keys[(child, b)], seconds_of.get((child, b)))
        by_child[child] = days_map
    if spread_by_clock and levels:
        levels[-1] = replace(levels[-1], clock_stopped=True)
    # minutes a week over capacity, from the decisions (not from the free overflow
    # variables, which may sit anywhere below their 15-minute unit)
    weekly_by: dict[tuple[str, int], int] = {}
    for (child, b), holder in keys.items():
        if holder is not None:
            minutes = presence[(holder, b)].load(weekly_of[(child, b)])
            weekly_by[(holder, b)] = weekly_by.get((holder, b), 0) + minutes
    overflow: dict[str, int] = {}
    for w, cap, b in overflow_vars:
        overflow[w] = max(overflow.get(w, 0), weekly_by.get((w, b), 0) - cap, 0)
    return by_child, levels, overflow


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
    for by_child, levels, overflow in outputs:
        result.by_child.update(by_child)
        result.levels.append(levels)
        result.overflow_minutes.update(overflow)
    return result

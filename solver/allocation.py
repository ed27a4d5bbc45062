"""Allocation stage: who is each child's key worker and secondary worker on which days.

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
import itertools
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from solver.assignment import GapProblem, add_assignment
from solver.budget import Budget
from solver.context import Context, TeamPart, team_parts
from solver.eligibility import employed, may_hold_case
from solver.errors import SolverError
from solver.flow_start import flow_keys
from solver.lexico import Level, LevelResult, replace_hints, solve_lexicographic
from solver.parallel import run_parts
from solver.params import ALLOCATION_LEVEL_SHARES, SECONDARY_SHARE, SolverParams
from solver.presence import AbsencePricing, Presence, block_presence
from solver.secondary import TeamBlocks, choose_secondaries
from solver.timegrid import intersect
from solver.weights import KEY_CHANGE_WEIGHT, OVER_QUARTER_WEIGHT, UNKNOWN_KEY_WEIGHT, risk_weight

DayAlloc = tuple[str | None, str | None]


@dataclass
class AllocationResult:
    by_child: dict[str, dict[dt.date, DayAlloc]] = field(default_factory=dict)
    levels: list[list[LevelResult]] = field(default_factory=list)
    overflow_minutes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Block:
    first: dt.date
    last: dt.date

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def _blocks(ctx: Context, team_workers: list[str], team_children: list[str]) -> list[Block]:
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


def _weekly_load(ctx: Context, child: str, day: dt.date) -> int:
    plan = ctx.plan_on(child, day)
    if plan is None:
        return 0
    return -(-plan.sessions * plan.session_minutes // plan.every_weeks)


def pattern_slots(ctx: Context, worker: str, child: str) -> int:
    """Sessions a week that fit both the worker's and the child's windows (30 min travel)."""
    plan = ctx.plan_on(child, ctx.in_force[child][0])
    minutes = plan.session_minutes if plan else 60
    slots = 0
    for weekday in range(7):
        for lo, hi in intersect(ctx.child_spans(child, weekday), ctx.worker_spans(worker, weekday)):
            if hi - lo >= minutes:
                slots += (hi - lo - minutes) // (minutes + 30) + 1
    return slots


def _slot_capacity(
    ctx: Context,
    *,
    model: cp_model.CpModel,
    jobs: list[str],
    present: list[str],
    key_by: dict[tuple[str, int], dict[str, cp_model.IntVar]],
    block: int,
    continuity: Level,
    weeks: int,
) -> None:
    """Children who can only meet in some windows (after school, say) compete for the
    key worker's sessions inside those windows; more than fit means cover."""
    by_pattern: dict[tuple[object, ...], list[str]] = {}
    for child in jobs:
        windows = ctx.children[child].availability
        if windows:
            by_pattern.setdefault(tuple(windows), []).append(child)
    for kids in by_pattern.values():
        for w in present:
            terms = [
                (key_by[(c, block)][w], _quarter_sessions(ctx, c))
                for c in kids
                if w in key_by[(c, block)]
            ]
            if not terms:
                continue
            cap = 4 * pattern_slots(ctx, w, kids[0])
            total = sum(q for _, q in terms)
            if total <= cap:
                continue
            over = model.new_int_var(0, total, f"slot_over[{w},{kids[0]},{block}]")
            model.add(
                cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [q for _, q in terms])
                <= cap + over
            )
            continuity.add(over, 2 * weeks)


def _quarter_sessions(ctx: Context, child: str) -> int:
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


TeamAllocation = tuple[dict[str, dict[dt.date, DayAlloc]], list[LevelResult], dict[str, int]]


def _pinned_keys(
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


def _solve_team(
    ctx: Context, part: TeamPart, budget: Budget, cp_workers: int, params: SolverParams
) -> TeamAllocation:
    """The team's allocation; a re-plan first keeps the current key workers (pinned),
    and solves without the pins only if that is infeasible (a worker's caseload fell)."""
    try:
        return _solve_team_model(ctx, part, budget, cp_workers, params, pin=True)
    except SolverError:
        return _solve_team_model(ctx, part, budget, cp_workers, params, pin=False)


def _solve_team_model(  # noqa: PLR0912, PLR0915 - the allocation model in one function; its split is issue #14
    ctx: Context,
    part: TeamPart,
    budget: Budget,
    cp_workers: int,
    params: SolverParams,
    *,
    pin: bool,
) -> TeamAllocation:
    model = cp_model.CpModel()
    blocks = _blocks(ctx, part.workers, part.children)
    current = current_allocation_map(ctx)
    unallocated = Level(1, "unallocated child-days")
    continuity = Level(2, "key-worker changes and cover pressure")
    stability = Level(3, "allocation changes against the current plan")
    wishes = Level(4, "wishes and even caseloads")

    key_vars: dict[tuple[str, str, int], cp_model.IntVar] = {}
    key_by: dict[tuple[str, int], dict[str, cp_model.IntVar]] = {}
    child_blocks: dict[str, list[int]] = {}
    block_days: dict[tuple[str, int], list[dt.date]] = {}
    wanted: dict[tuple[str, int], str] = {}
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
            weekly = _weekly_load(ctx, child, days[0])
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
            unallocated.add(flag, risk_weight(kid) * len(block_days[(child, b)]))
        _slot_capacity(
            ctx,
            model=model,
            jobs=jobs,
            present=present,
            key_by=key_by,
            block=b,
            continuity=continuity,
            weeks=weeks,
        )
        # rule 7, per day: children in force that day
        day_sets: dict[frozenset[str], None] = {}
        for day in block.days():
            in_force = frozenset(c for c in jobs if day in set(block_days[(c, b)]))
            if in_force:
                day_sets[in_force] = None
        for w in present:
            cap = ctx.workers[w].max_caseload
            for children_today in day_sets:
                terms = [key_vars[(c, w, b)] for c in children_today if (c, w, b) in key_vars]
                if len(terms) > cap:
                    model.add(sum(terms) <= cap)
        # balance: caseload above the fair share
        if present and jobs:
            fair = -(-len(jobs) // len(present))
            for w in present:
                terms = [key_vars[(c, w, b)] for c in jobs if (c, w, b) in key_vars]
                if len(terms) > fair:
                    excess = model.new_int_var(0, len(terms), f"excess[{w},{b}]")
                    model.add(sum(terms) - fair <= excess)
                    wishes.add(excess, 1)

    # continuity across blocks and against the current key worker
    pricing = AbsencePricing(ctx)
    new_cost: dict[tuple[str, int, str], int] = {}  # a new relationship's absence price
    for child, blist in child_blocks.items():
        kid = ctx.children[child]
        risk = risk_weight(kid)
        known = set(kid.known_workers) | {kid.current_secondary_worker or ""}
        previous = kid.current_key_worker
        for position, b in enumerate(blist):
            options = key_by[(child, b)]
            if position == 0:
                if previous is not None and previous in options:
                    change = model.new_bool_var(f"change[{child},{b}]")
                    model.add(change + options[previous] >= 1)
                    continuity.add(change, KEY_CHANGE_WEIGHT * risk)
            else:
                before = blist[position - 1]
                change = model.new_bool_var(f"change[{child},{b}]")
                for w, v in key_by[(child, before)].items():
                    if w in options:
                        model.add(change >= v - options[w])
                    else:
                        model.add(change >= v)
                continuity.add(change, KEY_CHANGE_WEIGHT * risk)
            for w, cost in _new_key_costs(
                pricing,
                child,
                block=blocks[b],
                b=b,
                days=block_days[(child, b)],
                options=options,
                presence=presence,
                current=current,
            ).items():
                new_cost[(child, b, w)] = cost
                continuity.add(options[w], cost)
            for w, var in options.items():
                if w != previous and w not in known:
                    continuity.add(var, UNKNOWN_KEY_WEIGHT * risk)
                if kid.preferred_workers and w not in kid.preferred_workers:
                    wishes.add(var, 3)
                gender = ctx.workers[w].gender
                if kid.preferred_gender and gender != kid.preferred_gender:
                    wishes.add(var, 2)
            # stability and hints
            first_day = block_days[(child, b)][0]
            cur_key, _ = current.get((child, first_day), (None, None))
            if cur_key is None and not ctx.instance.current_allocations:
                cur_key = previous
            if cur_key is None and position == 0:
                cur_key = previous
            if cur_key in options:
                keep = options[cur_key]
                stability.add(keep, 0)
                moved = model.new_bool_var(f"key_moved[{child},{b}]")
                model.add(moved + keep >= 1)
                stability.add(moved, len(block_days[(child, b)]))
                wanted[(child, b)] = cur_key

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
        for (child, b), w in _pinned_keys(ctx, child_blocks, key_by, block_days, current).items():
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
    gained = _fill_unallocated(ctx, keys, key_by, block_days, child_blocks, new_cost=new_cost)
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


def _leaver_before(
    ctx: Context, child: str, block: Block, current: dict[tuple[str, dt.date], DayAlloc]
) -> str | None:
    """The child's key worker whose last working day is the eve of ``block`` (a known
    change inside the horizon, with a handover to plan before it), if any."""
    eve = block.first - dt.timedelta(days=1)
    if eve < ctx.instance.horizon_start:
        return None
    key = current.get((child, eve), (None, None))[0] or ctx.children[child].current_key_worker
    worker = ctx.workers.get(key) if key is not None else None
    if worker is None or worker.end_date != eve:
        return None
    return key


def _new_key_costs(
    pricing: AbsencePricing,
    child: str,
    *,
    block: Block,
    b: int,
    days: list[dt.date],
    options: dict[str, cp_model.IntVar],
    presence: dict[tuple[str, int], Presence],
    current: dict[tuple[str, dt.date], DayAlloc],
) -> dict[str, int]:
    """Level-2 prices of each new key worker the block may give the child: absences
    (cover and gaps they force) and, for a leaver's successor, no joint handover slot
    where someone else has one. The current key worker is never priced: SPEC keeps
    the relationship through an absence."""
    current_key = pricing.ctx.children[child].current_key_worker
    fresh = [w for w in options if w != current_key]
    out = {w: pricing.new_key_cost(child, days, w, presence[(w, b)]) for w in fresh}
    outgoing = _leaver_before(pricing.ctx, child, block, current)
    if outgoing is not None:
        slot = {w: pricing.handover_slot(child, outgoing, w) for w in fresh}
        if any(slot.values()):  # where the team allows one
            for w in fresh:
                if not slot[w]:
                    out[w] += pricing.missing_handover_cost(child)
    return {w: cost for w, cost in out.items() if cost}


def _fill_unallocated(
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
        lambda part, share, cpw: _solve_team(ctx, part, share, cpw, params),
        use_processes=params.use_processes,
    )
    result = AllocationResult()
    for by_child, levels, overflow in outputs:
        result.by_child.update(by_child)
        result.levels.append(levels)
        result.overflow_minutes.update(overflow)
    return result

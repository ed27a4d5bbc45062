"""The allocation's goal terms: cover pressure in after-school slots, each child's
relationship terms, the price of a new key worker, and even caseloads."""

from __future__ import annotations

import datetime as dt

from ortools.sat.python import cp_model

from solver.allocation.blocks import Block, DayAlloc, pattern_slots, quarter_sessions
from solver.allocation.changes import binding_rule
from solver.context import Context
from solver.presence import AbsencePricing, Presence
from solver.terms import Fact, Level, Lit, Reason
from solver.weights import (
    EVEN_CASELOAD_WEIGHT,
    KEY_CHANGE_WEIGHT,
    MOVED_KEY_DAY_WEIGHT,
    SLOT_OVER_WEIGHT,
    UNKNOWN_KEY_WEIGHT,
    WISH_GENDER_WEIGHT,
    WISH_WORKER_WEIGHT,
    risk_weight,
)


def slot_capacity(
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
                (key_by[(c, block)][w], quarter_sessions(ctx, c))
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
            continuity.add(
                over,
                SLOT_OVER_WEIGHT * weeks,
                Reason.SLOT_OVER,
                {"worker": w, "child": kids[0], "block": block},
            )


def add_even_caseloads(
    model: cp_model.CpModel,
    *,
    b: int,
    present: list[str],
    jobs: list[str],
    key_vars: dict[tuple[str, str, int], cp_model.IntVar],
    wishes: Level,
) -> None:
    """Goal 4's even workloads: each worker's caseload above the fair share in block ``b``."""
    if present and jobs:
        fair = -(-len(jobs) // len(present))
        for w in present:
            terms = [key_vars[(c, w, b)] for c in jobs if (c, w, b) in key_vars]
            if len(terms) > fair:
                excess = model.new_int_var(0, len(terms), f"excess[{w},{b}]")
                model.add(sum(terms) - fair <= excess)
                wishes.add(
                    excess, EVEN_CASELOAD_WEIGHT, Reason.EVEN_CASELOAD, {"worker": w, "block": b}
                )


def add_relationship_terms(
    model: cp_model.CpModel,
    ctx: Context,
    *,
    blocks: list[Block],
    child_blocks: dict[str, list[int]],
    block_days: dict[tuple[str, int], list[dt.date]],
    key_by: dict[tuple[str, int], dict[str, cp_model.IntVar]],
    allocated: dict[tuple[str, int], Lit],
    presence: dict[tuple[str, int], Presence],
    current: dict[tuple[str, dt.date], DayAlloc],
    levels: tuple[Level, Level, Level],
) -> tuple[dict[tuple[str, int], str], dict[tuple[str, int, str], int]]:
    """Each child's relationship terms, block by block: a key-worker change, a new key
    worker who will be away or the child does not know (goal 2), a move against the
    current plan (goal 3), the child's wishes (goal 4). Returns the key worker the
    current plan names per child-block (the start's wish) and each new relationship's
    absence price."""
    continuity, stability, _wishes = levels
    wanted: dict[tuple[str, int], str] = {}
    pricing = AbsencePricing(ctx)
    new_cost: dict[tuple[str, int, str], int] = {}  # a new relationship's absence price
    for child, blist in child_blocks.items():
        for position, b in enumerate(blist):
            _add_change(
                model,
                ctx,
                child,
                blist=blist,
                position=position,
                key_by=key_by,
                allocated=allocated,
                block_days=block_days,
                continuity=continuity,
            )
            for w, cost in new_key_costs(
                pricing,
                child,
                block=blocks[b],
                b=b,
                days=block_days[(child, b)],
                options=key_by[(child, b)],
                presence=presence,
                current=current,
            ).items():
                new_cost[(child, b, w)] = cost
                continuity.add(
                    key_by[(child, b)][w],
                    cost,
                    Reason.NEW_KEY_PRICE,
                    {"child": child, "worker": w, "day": block_days[(child, b)][0]},
                )
            _add_worker_terms(ctx, child, key_by[(child, b)], block_days[(child, b)], levels)
            cur_key = _current_key(ctx, child, position, block_days[(child, b)][0], current)
            if cur_key in key_by[(child, b)]:
                keep = key_by[(child, b)][cur_key]
                stability.add(keep, 0)
                moved = model.new_bool_var(f"key_moved[{child},{b}]")
                model.add(moved + keep >= 1)
                stability.add(
                    moved,
                    MOVED_KEY_DAY_WEIGHT * len(block_days[(child, b)]),
                    Reason.MOVED,
                    {"child": child, "worker": cur_key, "day": block_days[(child, b)][0]},
                )
                wanted[(child, b)] = cur_key
    return wanted, new_cost


def _add_change(
    model: cp_model.CpModel,
    ctx: Context,
    child: str,
    *,
    blist: list[int],
    position: int,
    key_by: dict[tuple[str, int], dict[str, cp_model.IntVar]],
    allocated: dict[tuple[str, int], Lit],
    block_days: dict[tuple[str, int], list[dt.date]],
    continuity: Level,
) -> None:
    """Goal 2's key-worker change into the child's block ``blist[position]``, priced
    where a decision can avoid it; where a rule forces it (the old key worker left,
    say), that rule's code is noted beside it for the read-back (solver/terms.py)."""
    kid = ctx.children[child]
    risk = risk_weight(kid)
    b = blist[position]
    options = key_by[(child, b)]
    day = block_days[(child, b)][0]
    facts: dict[str, Fact] = {"child": child, "block": b, "day": day}
    if position == 0:
        previous = kid.current_key_worker
        if previous is None:
            return
        if previous in options:
            change = model.new_bool_var(f"change[{child},{b}]")
            model.add(change + options[previous] >= 1)
            facts["old"] = previous
            continuity.add(change, KEY_CHANGE_WEIGHT * risk, Reason.KEY_CHANGE, facts)
            return
        cause = binding_rule(ctx, child, previous, day)
        if cause is not None and (child, b) in allocated:
            continuity.note(allocated[(child, b)], cause.reason, cause.facts)
        return
    before = blist[position - 1]
    change = model.new_bool_var(f"change[{child},{b}]")
    for w, v in key_by[(child, before)].items():
        if w in options:
            model.add(change >= v - options[w])
        else:
            model.add(change >= v)
            cause = binding_rule(ctx, child, w, day)
            if cause is not None:
                continuity.note(v, cause.reason, cause.facts)
    facts["before"] = before
    continuity.add(change, KEY_CHANGE_WEIGHT * risk, Reason.KEY_CHANGE, facts)


def _add_worker_terms(
    ctx: Context,
    child: str,
    options: dict[str, cp_model.IntVar],
    days: list[dt.date],
    levels: tuple[Level, Level, Level],
) -> None:
    """Per key worker the block may give the child: a stranger (goal 2), the wishes (goal 4)."""
    continuity, _stability, wishes = levels
    kid = ctx.children[child]
    risk = risk_weight(kid)
    known = set(kid.known_workers) | {kid.current_secondary_worker or ""}
    for w, var in options.items():
        facts: dict[str, Fact] = {"child": child, "worker": w, "day": days[0]}
        if w != kid.current_key_worker and w not in known:
            continuity.add(var, UNKNOWN_KEY_WEIGHT * risk, Reason.UNKNOWN_KEY, facts)
        if kid.preferred_workers and w not in kid.preferred_workers:
            wishes.add(var, WISH_WORKER_WEIGHT, Reason.WISH_WORKER, facts)
        gender = ctx.workers[w].gender
        if kid.preferred_gender and gender != kid.preferred_gender:
            wishes.add(var, WISH_GENDER_WEIGHT, Reason.WISH_GENDER, facts)


def _current_key(
    ctx: Context,
    child: str,
    position: int,
    first_day: dt.date,
    current: dict[tuple[str, dt.date], DayAlloc],
) -> str | None:
    """The key worker goal 3 keeps in the block: the current plan's, else the child's."""
    previous = ctx.children[child].current_key_worker
    cur_key, _ = current.get((child, first_day), (None, None))
    if cur_key is None and not ctx.instance.current_allocations:
        cur_key = previous
    if cur_key is None and position == 0:
        cur_key = previous
    return cur_key


def leaver_before(
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


def new_key_costs(
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
    outgoing = leaver_before(pricing.ctx, child, block, current)
    if outgoing is not None:
        slot = {w: pricing.handover_slot(child, outgoing, w) for w in fresh}
        if any(slot.values()):  # where the team allows one
            for w in fresh:
                if not slot[w]:
                    out[w] += pricing.missing_handover_cost(child)
    return {w: cost for w, cost in out.items() if cost}

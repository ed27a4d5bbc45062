"""The allocation stage's start: key workers per block by a min-cost flow.

CP-SAT's first level (children without a key worker) finds a better count than a
first-come greedy start, but its solution is arbitrary as far as continuity
goes; with about a second per team model at local-authority size the level-2
search then could not repair it, and the plan inherited key-worker changes and
hours overflow by the thousand. A flow start gives the most children (weighted
by risk and days) a key worker within every worker's caseload at once, so the
first level has little or nothing left to find, and among those assignments it
keeps the previous or current key worker, then someone the child knows, and
spreads the load, with a rising price for children beyond a worker's hours. It
reads absences as the model does: the hours net of them, and a new relationship's
price for the cover, gaps and missing handover an absent worker would cause
(``solver/presence.py``), so the start is not one the model then has to undo.

One flow per block (blocks are solved in date order, each preferring the key
worker chosen for the block before): source -> child (1) -> worker (1, the
continuity price less a large reward per allocated child-day) -> sink (one arc per
caseload place, the price rising with the load); a child may also go straight to
the sink unallocated at no reward.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from ortools.graph.python import min_cost_flow

from solver.context import Context
from solver.presence import Presence
from solver.weights import (
    FLOW_ALLOCATED_REWARD,
    FLOW_OVER_HOURS_PRICE,
    KEY_CHANGE_WEIGHT,
    UNKNOWN_KEY_WEIGHT,
    risk_weight,
)

REWARD = FLOW_ALLOCATED_REWARD  # per risk-weighted child-day allocated
OVER_HOURS = FLOW_OVER_HOURS_PRICE  # per child beyond what the worker's hours carry

ChildBlock = tuple[str, int]


def flow_keys(
    ctx: Context,
    *,
    blocks: int,
    child_blocks: Mapping[str, Sequence[int]],
    block_days: Mapping[ChildBlock, list[dt.date]],
    options: Mapping[ChildBlock, Sequence[str]],
    wanted: Mapping[ChildBlock, str],
    weekly_of: Mapping[ChildBlock, int],
    presence: Mapping[tuple[str, int], Presence] | None = None,
    new_cost: Mapping[tuple[str, int, str], int] | None = None,
) -> dict[ChildBlock, str]:
    """A key worker for as many child-blocks as caseloads allow, continuity first.

    ``presence`` (per worker and block) nets the hours of absences; ``new_cost`` (per
    child, block and worker) is the model's level-2 price of a new relationship."""
    out: dict[ChildBlock, str] = {}
    for b in range(blocks):
        children = sorted(c for c, bl in child_blocks.items() if b in bl and options[(c, b)])
        if children:
            out.update(
                _block(
                    ctx,
                    b,
                    children,
                    block_days=block_days,
                    options=options,
                    wanted=wanted,
                    weekly_of=weekly_of,
                    earlier=out,
                    presence=presence or {},
                    new_cost=new_cost or {},
                )
            )
    return out


def _block(
    ctx: Context,
    b: int,
    children: list[str],
    *,
    block_days: Mapping[ChildBlock, list[dt.date]],
    options: Mapping[ChildBlock, Sequence[str]],
    wanted: Mapping[ChildBlock, str],
    weekly_of: Mapping[ChildBlock, int],
    earlier: Mapping[ChildBlock, str],
    presence: Mapping[tuple[str, int], Presence],
    new_cost: Mapping[tuple[str, int, str], int],
) -> dict[ChildBlock, str]:
    workers = sorted({w for c in children for w in options[(c, b)]})
    source, sink = 0, 1
    child_node = {c: 2 + i for i, c in enumerate(children)}
    worker_node = {w: 2 + len(children) + i for i, w in enumerate(workers)}
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []

    def arc(tail: int, head: int, cap: int, cost: int) -> None:
        tails.append(tail)
        heads.append(head)
        caps.append(cap)
        costs.append(cost)

    pairs: list[tuple[int, str, str]] = []
    for c in children:
        kid = ctx.children[c]
        risk = risk_weight(kid)
        days = len(block_days[(c, b)])
        before = [x for x in range(b) if (c, x) in earlier]
        # The model prices a change against the block before, not against the current
        # plan's wish (that is goal 3): keeping the wish first made the start swap
        # a child back and forth between blocks, changes the search then kept.
        keep = earlier[(c, before[-1])] if before else None
        keep = keep or wanted.get((c, b)) or kid.current_key_worker
        arc(source, child_node[c], 1, 0)
        arc(child_node[c], sink, 1, 0)  # unallocated
        for w in options[(c, b)]:
            price = 0 if w == keep else KEY_CHANGE_WEIGHT * risk
            if w != keep and w not in kid.known_workers:
                price += UNKNOWN_KEY_WEIGHT * risk
            price += new_cost.get((c, b, w), 0)
            pairs.append((len(tails), c, w))
            arc(child_node[c], worker_node[w], 1, price - REWARD * risk * days)
    for w in workers:
        worker = ctx.workers[w]
        here = presence.get((w, b))
        hours = here.capacity if here else int(worker.hours_per_week * 60)
        mine = [weekly_of[(c, b)] for c in children if w in options[(c, b)]]
        typical = max(1, sorted(mine)[len(mine) // 2]) if mine else 60
        if here is not None:  # the minutes that fall to them, as the model loads them
            typical = here.load(typical)
        # children the hours carry, net of absences; away all block, none of the
        # children's minutes fall to them (the model loads them with nothing either)
        carried = hours // typical if typical > 0 else worker.max_caseload
        for k in range(worker.max_caseload):
            arc(worker_node[w], sink, 1, k + (OVER_HOURS if k >= carried else 0))
    flow = min_cost_flow.SimpleMinCostFlow()
    for t, h, cap, cost in zip(tails, heads, caps, costs, strict=True):
        flow.add_arc_with_capacity_and_unit_cost(t, h, cap, cost)
    flow.set_node_supply(source, len(children))
    flow.set_node_supply(sink, -len(children))
    if flow.solve() != flow.OPTIMAL:
        return {}
    return {(c, b): w for index, c, w in pairs if flow.flow(index) > 0}

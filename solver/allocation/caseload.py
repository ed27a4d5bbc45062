"""Rule 7: on every day, a worker is key worker for at most ``max_caseload`` children."""

from __future__ import annotations

import datetime as dt

from ortools.sat.python import cp_model

from solver.allocation.blocks import Block
from solver.context import Context


def add_caseload(
    model: cp_model.CpModel,
    ctx: Context,
    *,
    block: Block,
    b: int,
    present: list[str],
    jobs: list[str],
    block_days: dict[tuple[str, int], list[dt.date]],
    key_vars: dict[tuple[str, str, int], cp_model.IntVar],
) -> None:
    """Block ``b``'s key-worker choices within each worker's caseload on each day: one
    constraint per distinct set of children in force on a day, where it could bind."""
    day_sets: dict[frozenset[str], None] = {}
    force = [(c, set(block_days[(c, b)])) for c in jobs]  # once, not once per day
    for day in block.days():
        in_force = frozenset(c for c, days in force if day in days)
        if in_force:
            day_sets[in_force] = None
    for w in present:
        cap = ctx.workers[w].max_caseload
        if sum(1 for c in jobs if (c, w, b) in key_vars) <= cap:
            continue  # no day can bind: each day's terms are among these
        for children_today in day_sets:
            terms = [key_vars[(c, w, b)] for c in children_today if (c, w, b) in key_vars]
            if len(terms) > cap:
                model.add(sum(terms) <= cap)

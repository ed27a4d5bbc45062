"""Rule 6: a worker's session minutes in an ISO week within their weekly capacity."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from ortools.sat.python import cp_model

from solver.candidates import Candidate
from solver.eligibility import weekly_capacity_minutes
from solver.instance import Worker
from solver.timegrid import monday


def add_capacity(
    model: cp_model.CpModel,
    cands: Sequence[Candidate],
    variables: Sequence[cp_model.IntVar],
    workers: Mapping[str, Worker],
    fixed_minutes: Mapping[tuple[str, dt.date], int],
) -> None:
    """The candidates' minutes, with the fixed sessions' (``fixed_minutes``, by worker
    and Monday), within each worker's capacity that week; only where they could exceed it."""
    by_week: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for i, cand in enumerate(cands):
        for ref in cand.workers:
            by_week[(ref, monday(cand.day))].append(i)
    for (ref, week), indices in by_week.items():
        cap = weekly_capacity_minutes(workers[ref], week)
        room = max(0, cap - fixed_minutes.get((ref, week), 0))
        total = sum(cands[i].minutes for i in indices)
        if total > room:
            model.add(
                cp_model.LinearExpr.weighted_sum(
                    [variables[i] for i in indices], [cands[i].minutes for i in indices]
                )
                <= room
            )

"""Rule 4: a worker never has two sessions that overlap, nor too little travel between them."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from ortools.sat.python import cp_model

from solver.candidates import Candidate, TravelTable


def add_no_overlap(
    model: cp_model.CpModel,
    cands: Sequence[Candidate],
    variables: Sequence[cp_model.IntVar],
    travel: TravelTable,
) -> None:
    """Rule 4 between candidates, exactly.

    Every trip takes at least 15 minutes, so intervals padded by 15 minutes must be
    pairwise disjoint (one at-most-one per start point and worker-day); pairs of
    children further apart are then excluded one by one where the gap between
    them is shorter than their travel time.
    """
    by_worker_day: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for i, cand in enumerate(cands):
        for ref in cand.workers:
            by_worker_day[(ref, cand.day)].append(i)
    pad = dt.timedelta(minutes=15)
    for indices in by_worker_day.values():
        if len(indices) < 2:
            continue
        indices.sort(key=lambda i: cands[i].start)
        spans = [(cands[i].start, cands[i].end + pad, i) for i in indices]
        seen: set[frozenset[int]] = set()
        for point in sorted({start for start, _, _ in spans}):
            covering = frozenset(i for lo, hi, i in spans if lo <= point < hi)
            if len(covering) > 1 and covering not in seen:
                seen.add(covering)
                model.add_at_most_one(variables[i] for i in sorted(covering))
        starts = [cands[i].start for i in indices]
        kids = {cands[i].child for i in indices}
        longest = max(travel.between(a, b) for a in kids for b in kids)
        if longest <= 15:
            continue
        for i in indices:
            a = cands[i]
            lo = bisect.bisect_left(starts, a.end + pad)
            hi = bisect.bisect_left(starts, a.end + dt.timedelta(minutes=longest))
            for k in range(lo, hi):
                b = cands[indices[k]]
                if b.child == a.child:
                    continue
                if b.start < a.end + dt.timedelta(minutes=travel.between(a.child, b.child)):
                    model.add_bool_or([variables[i].Not(), variables[indices[k]].Not()])

"""Rule 5: a child has at most one session a day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from ortools.sat.python import cp_model

from solver.candidates import Candidate

ChildDays = dict[tuple[str, dt.date], list[int]]


def add_one_a_day(
    model: cp_model.CpModel, cands: Sequence[Candidate], variables: Sequence[cp_model.IntVar]
) -> ChildDays:
    """At most one of each child's candidates a day; returns them by (child, day).

    A child's fixed sessions are not candidates: a day that holds one gets none.
    """
    by_child_day: ChildDays = defaultdict(list)
    for i, cand in enumerate(cands):
        by_child_day[(cand.child, cand.day)].append(i)
    for indices in by_child_day.values():
        if len(indices) > 1:
            model.add_at_most_one(variables[i] for i in indices)
    return by_child_day

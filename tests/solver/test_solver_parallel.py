"""Work shares of the team sub-models: fixed by size before anything runs.

A part's share must not depend on how long another part took (a plan must not
depend on how busy the machine was), so these are exact values.
"""

from __future__ import annotations

import os
import time

import pytest

from solver.budget import Budget
from solver.parallel import part_budget, run_parts


def _its_share(part: int, budget: Budget, cp_workers: int) -> tuple[int, float, int, int]:
    return part, budget.work, cp_workers, os.getpid()


def test_inline_parts_split_the_work_by_size() -> None:
    budget = Budget(8.0, time.monotonic() + 60)
    out = run_parts([0, 1, 2], [10, 30, 40], budget, 2, _its_share)
    assert [work for _, work, _, _ in out] == pytest.approx([1.0, 3.0, 4.0])
    # in this process, each part searches with every worker (interleaved: deterministic)
    assert all(cp_workers == 2 for _, _, cp_workers, _ in out)


def test_forked_parts_get_their_size_share_of_the_work() -> None:
    budget = Budget(1.2, time.monotonic() + 60)
    out = run_parts([0, 1, 2, 3], [300, 100, 100, 100], budget, 2, _its_share)
    assert [part for part, *_ in out] == [0, 1, 2, 3]
    assert all(cp_workers == 1 for *_, cp_workers, _ in out)
    assert os.getpid() not in {pid for *_, pid in out}
    # deterministic time counts every thread's work: one worker per process spends it
    # as fast, per process, as each of two interleaved workers does in one process
    assert [work for _, work, _, _ in out] == pytest.approx([0.6, 0.2, 0.2, 0.2])


def test_the_parts_share_the_budget_by_size() -> None:
    budget = Budget(2.0, time.monotonic() + 60)
    assert part_budget(budget, 900, 1000, 2).work == pytest.approx(1.8)
    assert part_budget(budget, 100, 1000, 2).work == pytest.approx(0.2)
    assert part_budget(budget, 0, 1000, 2).work == pytest.approx(0.002)


def test_the_safety_deadline_is_one_clock_for_every_part() -> None:
    deadline = time.monotonic() + 60
    out = run_parts(
        [0, 1, 2, 3],
        [300, 300, 300, 300],
        Budget(1.0, deadline),
        2,
        lambda part, budget, _cpw: (part, budget.deadline),
    )
    assert {d for _, d in out} == {deadline}

"""Run independent sub-models (one per team) side by side, each with a fair work share.

With several parts and ``num_workers`` > 1 the parts run in forked worker
processes (model building is Python and would serialise on the GIL in threads),
one CP-SAT worker each. A part's share of the budget's deterministic work is
its size's share of the whole, times the number of processes working at once:
fixed before anything runs, so no part's plan depends on how long another took.
The budget's safety deadline is one clock for every process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from solver.budget import Budget

T = TypeVar("T")
R = TypeVar("R")

_TASK: Callable[[int, int], Any] | None = None
# below this total size (children) everything runs in this process: forking is for
# the service and local-authority sizes, not a single team's nightly run
PARALLEL_FROM = 300


def _call(args: tuple[int, int]) -> Any:
    assert _TASK is not None
    return _TASK(*args)


def part_budget(budget: Budget, size: int, total: int, processes: int) -> Budget:
    """A part's share: its size's part of the work. Deterministic time counts the work of
    every search thread, so parts on two processes spend the budget twice as fast as
    one part searching alone with two (interleaved) workers: the same share either way.
    ``processes`` is kept for the caller's record; it does not change the share."""
    del processes
    return budget.share(max(1, size) / max(1, total))


def run_parts(
    parts: Sequence[T],
    sizes: Sequence[int],
    budget: Budget,
    num_workers: int,
    work: Callable[[T, Budget, int], R],
    *,
    use_processes: bool = True,
) -> list[R]:
    """Call ``work(part, budget, cp_workers)`` for every part; results in input order."""
    global _TASK  # noqa: PLW0603 - handed to forked workers, which inherit it
    if not parts:
        return []
    total = sum(max(1, s) for s in sizes)
    processes = max(1, min(num_workers, len(parts)))
    small = sum(sizes) < PARALLEL_FROM
    forkable = use_processes and "fork" in multiprocessing.get_all_start_methods()
    if processes == 1 or small or not forkable:
        return [
            work(p, part_budget(budget, s, total, 1), max(1, num_workers))
            for p, s in zip(parts, sizes, strict=True)
        ]
    _TASK = lambda index, cpw: work(  # noqa: E731
        parts[index], part_budget(budget, sizes[index], total, processes), cpw
    )
    order = sorted(range(len(parts)), key=lambda i: -sizes[i])  # big parts first
    try:
        with ProcessPoolExecutor(
            max_workers=processes, mp_context=multiprocessing.get_context("fork")
        ) as pool:
            done = list(pool.map(_call, [(i, 1) for i in order]))
    finally:
        _TASK = None
    results: list[R | None] = [None] * len(parts)
    for i, result in zip(order, done, strict=True):
        results[i] = result
    return [r for r in results if r is not None]

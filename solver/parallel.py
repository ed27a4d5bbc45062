"""Run independent sub-models (one per team) side by side, each with a fair time share.

With several parts and ``num_workers`` > 1 the parts run in forked worker
processes (model building is Python and would serialise on the GIL in threads),
one CP-SAT worker each, which also keeps each part's search deterministic. A
part's seconds are its size share of the budget times the number of processes;
the part spends them on building and solving.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_TASK: Callable[[int, float, int], Any] | None = None
# below this total size (children) everything runs in this process: forking is for
# the service and local-authority sizes, not a single team's nightly run
PARALLEL_FROM = 300


def _call(args: tuple[int, float, int]) -> Any:
    assert _TASK is not None
    return _TASK(*args)


def run_parts(
    parts: Sequence[T],
    sizes: Sequence[int],
    budget: float,
    num_workers: int,
    work: Callable[[T, float, int], R],
    *,
    use_processes: bool = True,
) -> list[R]:
    """Call ``work(part, seconds, cp_workers)`` for every part; results in input order."""
    global _TASK  # noqa: PLW0603 - handed to forked workers, which inherit it
    if not parts:
        return []
    total = max(1, sum(sizes))
    processes = max(1, min(num_workers, len(parts)))
    cp_workers = 1 if processes > 1 else max(1, num_workers)
    shares = [min(budget, budget * processes * max(1, s) / total) for s in sizes]
    small = sum(sizes) < PARALLEL_FROM
    forkable = use_processes and "fork" in multiprocessing.get_all_start_methods()
    if processes == 1 or small or not forkable:
        inline = [budget * max(1, s) / total for s in sizes]
        return [work(p, t, max(1, num_workers)) for p, t in zip(parts, inline, strict=True)]
    _TASK = lambda index, secs, cpw: work(parts[index], secs, cpw)  # noqa: E731
    order = sorted(range(len(parts)), key=lambda i: -sizes[i])  # big parts first
    try:
        with ProcessPoolExecutor(
            max_workers=processes, mp_context=multiprocessing.get_context("fork")
        ) as pool:
            done = list(pool.map(_call, [(i, shares[i], cp_workers) for i in order]))
    finally:
        _TASK = None
    results: list[R | None] = [None] * len(parts)
    for i, result in zip(order, done, strict=True):
        results[i] = result
    return [r for r in results if r is not None]

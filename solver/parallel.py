"""Run independent sub-models (one per team) side by side, each with a fair time share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def run_parts(
    parts: Sequence[T],
    sizes: Sequence[int],
    budget: float,
    num_workers: int,
    work: Callable[[T, float, int], R],
) -> list[R]:
    """Call ``work(part, seconds, cp_workers)`` for every part; results in input order.

    With several parts and several workers the parts run in threads (CP-SAT
    releases the GIL), one CP-SAT worker each, which also keeps each part's search
    deterministic. A part's seconds are its size share of the budget times the
    number of threads.
    """
    if not parts:
        return []
    total = max(1, sum(sizes))
    threads = max(1, min(num_workers, len(parts)))
    cp_workers = 1 if threads > 1 else max(1, num_workers)
    shares = [min(budget, budget * threads * max(1, s) / total) for s in sizes]
    if threads == 1:
        return [work(p, t, cp_workers) for p, t in zip(parts, shares, strict=True)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(work, p, t, cp_workers) for p, t in zip(parts, shares, strict=True)]
        return [f.result() for f in futures]

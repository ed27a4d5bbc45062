"""Run independent sub-models (one per team) side by side, each with a fair time share.

With several parts and ``num_workers`` > 1 the parts run in forked worker
processes (model building is Python and would serialise on the GIL in threads),
one CP-SAT worker each, which also keeps each part's search deterministic. A
part's seconds are set when it starts: its size's share of the time left before
the deadline, over the work not yet started, so a part that overran its share
(building a model costs what it costs) is paid for by the parts after it rather
than by the caller's deadline.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_TASK: Callable[[int, int, int], Any] | None = None
# below this total size (children) everything runs in this process: forking is for
# the service and local-authority sizes, not a single team's nightly run
PARALLEL_FROM = 300


class Shares:
    """Hands each part, as it starts, its seconds out of what is left of ``budget``.

    ``shared``: the count of work not yet started lives in shared memory, for parts
    that start in forked processes.
    """

    def __init__(self, budget: float, processes: int, total: int, *, shared: bool) -> None:
        self.budget = budget
        self.deadline = time.monotonic() + budget  # CLOCK_MONOTONIC: one clock for all
        self.processes = processes
        self._left = total
        self._shared = multiprocessing.get_context("fork").Value("q", total) if shared else None

    def take(self, size: int) -> float:
        size = max(1, size)
        if self._shared is None:
            left, self._left = self._left, self._left - size
        else:
            with self._shared.get_lock():
                left = self._shared.value
                self._shared.value = left - size
        room = max(0.0, self.deadline - time.monotonic())
        # never past the deadline, whatever share the sizes would give
        return min(room, room * self.processes * size / max(size, left))


def _call(args: tuple[int, int, int]) -> Any:
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
    total = sum(max(1, s) for s in sizes)
    processes = max(1, min(num_workers, len(parts)))
    small = sum(sizes) < PARALLEL_FROM
    forkable = use_processes and "fork" in multiprocessing.get_all_start_methods()
    if processes == 1 or small or not forkable:
        inline = Shares(budget, 1, total, shared=False)
        return [
            work(p, inline.take(s), max(1, num_workers)) for p, s in zip(parts, sizes, strict=True)
        ]
    shares = Shares(budget, processes, total, shared=True)
    _TASK = lambda index, size, cpw: work(parts[index], shares.take(size), cpw)  # noqa: E731
    order = sorted(range(len(parts)), key=lambda i: -sizes[i])  # big parts first
    try:
        with ProcessPoolExecutor(
            max_workers=processes, mp_context=multiprocessing.get_context("fork")
        ) as pool:
            done = list(pool.map(_call, [(i, sizes[i], 1) for i in order]))
    finally:
        _TASK = None
    results: list[R | None] = [None] * len(parts)
    for i, result in zip(order, done, strict=True):
        results[i] = result
    return [r for r in results if r is not None]

"""Run independent sub-models (one per team) side by side, each with a fair time share.

With several parts and ``num_workers`` > 1 the parts run in forked worker
processes (model building is Python and would serialise on the GIL in threads),
one CP-SAT worker each, which also keeps each part's search deterministic. A
part's seconds are set when it starts: its size's share of the time the
processes have left before the deadline, over the work not yet started, so a
part that overran its share (building a model costs what it costs) is paid for
by the parts after it rather than by the caller's deadline.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Callable, MutableSequence, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager
from types import SimpleNamespace
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_TASK: Callable[[int, int, int], Any] | None = None
# below this total size (children) everything runs in this process: forking is for
# the service and local-authority sizes, not a single team's nightly run
PARALLEL_FROM = 300


class Shares:
    """Hands each part, as it starts, its seconds out of what is left of ``budget``.

    The time left for the work not yet started is what each process has between
    the later of now and the end of the part it is running, and the deadline; a
    part gets its size's share of that, never more than the time left to the
    deadline. ``shared``: the state lives in shared memory, for parts that start
    in forked processes.
    """

    def __init__(self, budget: float, processes: int, total: int, *, shared: bool) -> None:
        self.deadline = time.monotonic() + budget  # CLOCK_MONOTONIC: one clock for all
        self._lock: AbstractContextManager[Any]
        self._left: Any
        self._pids: MutableSequence[int]
        self._ends: MutableSequence[float]
        if shared:
            ctx = multiprocessing.get_context("fork")
            self._lock = ctx.Lock()
            self._left = ctx.RawValue("q", total)
            self._pids = ctx.RawArray("q", processes)
            self._ends = ctx.RawArray("d", processes)
        else:
            self._lock = contextlib.nullcontext()
            self._left = SimpleNamespace(value=total)
            self._pids = [0] * processes
            self._ends = [0.0] * processes

    def take(self, size: int) -> float:
        size = max(1, size)
        with self._lock:
            now = time.monotonic()
            slot = self._slot(os.getpid())
            left = self._left.value
            self._left.value = left - size
            room = max(0.0, self.deadline - now)
            busy_others = sum(
                max(0.0, self.deadline - max(now, end))
                for other, end in enumerate(self._ends)
                if other != slot
            )
            seconds = float(min(room, (room + busy_others) * size / max(size, left)))
            self._ends[slot] = now + seconds
        return seconds

    def _slot(self, pid: int) -> int:
        """This process's slot: its own, else a free one, else the one ending first."""
        for slot, owner in enumerate(self._pids):
            if owner == pid:
                return slot
        for slot, owner in enumerate(self._pids):
            if owner == 0:
                self._pids[slot] = pid
                return slot
        # a replaced worker process: take over the slot that frees first
        slot = min(range(len(self._ends)), key=lambda k: self._ends[k])
        self._pids[slot] = pid
        return slot


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

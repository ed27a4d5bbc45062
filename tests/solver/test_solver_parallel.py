"""Time shares of the team sub-models: set as each part starts, never past the deadline."""

from __future__ import annotations

import os
import time

import pytest

from solver.parallel import Shares, run_parts


def test_shares_split_the_time_left_by_size() -> None:
    shares = Shares(2.0, 1, 4, shared=False)
    assert shares.take(1) == pytest.approx(0.5, abs=0.05)
    time.sleep(0.2)  # the first part finished early: the rest get its time
    assert shares.take(3) == pytest.approx(1.8, abs=0.05)


def test_a_part_that_overran_is_paid_for_by_the_parts_after_it() -> None:
    shares = Shares(1.0, 1, 4, shared=False)
    assert shares.take(2) == pytest.approx(0.5, abs=0.05)
    time.sleep(0.8)  # the first part took 0.3 s more than its share
    second = shares.take(1)
    # half of the 0.2 s left (less if this machine is busy), not the 0.25 s its
    # size gave it at the start
    assert 0.0 < second <= 0.1 + 0.01
    assert shares.take(1) == pytest.approx(2 * second, abs=0.05)


def test_the_last_part_never_gets_more_than_the_time_left() -> None:
    # two processes: by size the last part's share would be twice the time left
    shares = Shares(1.0, 2, 2, shared=True)
    shares.take(1)
    time.sleep(0.5)
    assert shares.take(1) <= 0.5 + 0.01
    time.sleep(0.6)
    assert shares.take(1) == 0.0  # past the deadline: nothing, the part makes do


def test_forked_parts_share_one_count_of_the_work_left() -> None:
    def work(part: int, seconds: float, cp_workers: int) -> tuple[int, float, int, int]:
        time.sleep(seconds)  # each part spends exactly its share
        return part, seconds, cp_workers, os.getpid()

    started = time.monotonic()
    out = run_parts([0, 1, 2, 3], [100, 100, 100, 100], 1.0, 2, work)
    wall = time.monotonic() - started
    assert [part for part, *_ in out] == [0, 1, 2, 3]
    assert all(cp_workers == 1 for *_, cp_workers, _ in out)
    assert len({pid for *_, pid in out}) == 2 and os.getpid() not in {pid for *_, pid in out}
    # four parts of equal size on two processes: every part gets time, no process
    # more than the budget, and the whole run ends at the deadline, not past it
    assert all(seconds > 0.2 for _, seconds, _, _ in out)
    for pid in {pid for *_, pid in out}:
        assert sum(seconds for _, seconds, _, p in out if p == pid) <= 1.0 + 0.01
    assert wall < 2.5  # the deadline plus forking, on a busy machine too

"""Time shares of the team sub-models: set as each part starts, never past the deadline.

The shares follow the clock, so these tests check what must hold with margins a
busy machine cannot break, not values to the millisecond.
"""

from __future__ import annotations

import os
import time

import pytest

from solver.parallel import Shares, run_parts


def test_shares_split_the_time_left_by_size() -> None:
    shares = Shares(2.0, 1, 4, shared=False)
    assert shares.take(1) == pytest.approx(0.5, abs=0.05)
    time.sleep(0.2)  # the first part finished early: the rest get its time
    assert 1.5 < shares.take(3) <= 1.8 + 0.01


def test_a_part_that_overran_is_paid_for_by_the_parts_after_it() -> None:
    shares = Shares(1.0, 1, 4, shared=False)
    assert shares.take(2) == pytest.approx(0.5, abs=0.05)
    time.sleep(0.8)  # the first part took 0.3 s more than its share
    second = shares.take(1)
    # half of the 0.2 s left (less if this machine is busy), not the 0.25 s its
    # size gave it at the start
    assert second <= 0.1 + 0.01
    assert shares.take(1) == pytest.approx(2 * second, abs=0.05)


def test_no_part_gets_more_than_the_time_left() -> None:
    shares = Shares(1.0, 2, 2, shared=False)
    shares.take(1)
    time.sleep(0.5)
    # the other process is free and only this part is left: by size alone it
    # would get both processes' time, twice what is left to the deadline
    assert shares.take(1) <= 0.5 + 0.01
    time.sleep(0.6)
    assert shares.take(1) == 0.0  # past the deadline: nothing, the part makes do


def _sleep_its_share(part: int, seconds: float, cp_workers: int) -> tuple[int, float, int, int]:
    time.sleep(seconds)  # each part spends exactly its share
    return part, seconds, cp_workers, os.getpid()


def test_forked_parts_split_the_time_by_size_and_end_by_the_deadline() -> None:
    started = time.monotonic()
    out = run_parts([0, 1, 2, 3], [100, 100, 100, 100], 1.0, 2, _sleep_its_share)
    wall = time.monotonic() - started
    assert [part for part, *_ in out] == [0, 1, 2, 3]
    assert all(cp_workers == 1 for *_, cp_workers, _ in out)
    pids = {pid for *_, pid in out}
    assert len(pids) == 2 and os.getpid() not in pids
    # four equal parts on two processes: half the budget each
    assert all(0.3 < seconds <= 0.5 + 0.01 for _, seconds, _, _ in out)
    for pid in pids:
        assert sum(seconds for _, seconds, _, p in out if p == pid) <= 1.0 + 0.01
    assert wall < 2.5  # the deadline plus forking, on a busy machine too


def test_a_big_part_running_on_one_process_leaves_the_other_to_the_small_ones() -> None:
    # the big part takes one process to the deadline; the three small ones share
    # the other process's time, not both processes' (the last would get nothing)
    out = run_parts([0, 1, 2, 3], [300, 100, 100, 100], 1.2, 2, _sleep_its_share)
    seconds = [s for _, s, _, _ in out]
    assert seconds[0] == pytest.approx(1.2, abs=0.1)
    assert all(0.25 < s <= 0.4 + 0.02 for s in seconds[1:])
    # both processes saw one state: each part's process is busy one after another
    small = {pid for _, _, _, pid in out[1:]}
    assert len(small) == 1 and small != {out[0][3]}

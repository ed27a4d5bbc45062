"""The nightly solve in a spawned child process (issue #12 part 6).

The child returns the very plan the parent would have made; a child that dies (a
native CHECK failure in OR-Tools aborts its process) becomes ``SolverCrashed``
instead of taking the parent down; a parent that must stop takes the child with it.
"""

from __future__ import annotations

import dataclasses
import time

import pytest

import solver
from scheduler.solve_process import CRASH_HOOK_ENV, SolverCrashed, solve_in_child
from tests.solver.solver_builders import (
    make_child,
    make_instance,
    make_plan,
    make_worker,
)

PARAMS = solver.SolverParams(time_limit_seconds=5.0, num_workers=1, random_seed=0)


def _instance() -> solver.Instance:
    workers = [make_worker("W1"), make_worker("W2", max_caseload=1)]
    children = [make_child("YP-1"), make_child("YP-2"), make_child("YP-3")]
    plans = [make_plan(c.ref, sessions=2) for c in children]
    return make_instance(workers, children, plans)


def _without_timing(solution: solver.Solution) -> solver.Solution:
    return dataclasses.replace(
        solution, metrics=dataclasses.replace(solution.metrics, solve_seconds=0.0)
    )


def test_the_child_returns_the_plan_this_process_would_make() -> None:
    instance = _instance()
    messages: list[str] = []
    polls: list[float] = []
    in_child = solve_in_child(
        instance, PARAMS, messages.append, poll=lambda: polls.append(time.monotonic())
    )
    here = solver.solve(instance, PARAMS)
    assert _without_timing(in_child) == _without_timing(here)
    assert solver.validate(instance, in_child) == []
    assert messages and messages[0].startswith("allocating")  # progress came through


def test_a_child_that_aborts_is_a_failure_not_a_crash_of_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(CRASH_HOOK_ENV, "1")
    with pytest.raises(SolverCrashed, match="died of SIGABRT") as caught:
        solve_in_child(_instance(), PARAMS)
    assert "nothing was committed" in str(caught.value)
    assert caught.value.exit_code == 1


def test_what_poll_raises_stops_the_child_first() -> None:
    class Stop(Exception):
        pass

    calls = 0

    def poll() -> None:
        nonlocal calls
        calls += 1
        raise Stop

    started = time.monotonic()
    with pytest.raises(Stop):
        solve_in_child(_instance(), dataclasses.replace(PARAMS, time_limit_seconds=60), poll=poll)
    assert calls == 1
    assert time.monotonic() - started < 10

"""Goal 3 at scale: re-planning a generated team (bench/scenarios.py, 12 workers x 90
children) keeps what it may. The plan is fed back as the next night's input."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from test_solver_goals import replan_input

from bench.scenarios import Knobs, make_scenario
from solver import Absence, Instance, Solution, SolverParams, solve, validate

PARAMS = SolverParams(time_limit_seconds=6.0, num_workers=2)


@pytest.fixture(scope="module")
def team() -> tuple[Instance, Solution]:
    # The weekly shape these goal-3 checks were written on. On the mixed shapes a
    # time-bound re-plan after one absence sometimes also moves another child's
    # session (seen once in a fresh-clone CI run): a goal-3 finding left open.
    instance = make_scenario("team", knobs=Knobs.weekly()).instance
    solution = solve(instance, PARAMS)
    assert validate(instance, solution) == []
    return instance, solution


def test_goal3_unchanged_team_replan_returns_the_identical_plan(
    team: tuple[Instance, Solution],
) -> None:
    instance, first = team
    again = replan_input(instance, first)
    second = solve(again, PARAMS)
    assert validate(again, second) == []
    assert second.allocations == first.allocations
    assert second.sessions == first.sessions


def test_goal3_one_absence_moves_only_that_workers_sessions(
    team: tuple[Instance, Solution],
) -> None:
    instance, first = team
    freeze_ends = instance.now + dt.timedelta(hours=48)
    victim = next(s for s in first.sessions if s.start > freeze_ends + dt.timedelta(days=1))
    day = victim.start.date()
    workers = tuple(
        replace(w, absences=(*w.absences, Absence(day, day))) if w.ref == victim.worker else w
        for w in instance.workers
    )
    again = replan_input(instance, first, workers=workers)
    second = solve(again, PARAMS)
    assert validate(again, second) == []
    theirs = {s.child for s in first.sessions if victim.worker in (s.worker, s.with_worker)}
    theirs |= {a.child for a in first.allocations if a.key_worker == victim.worker}
    before = {s.id: s for s in first.sessions}
    after = {s.id: s for s in second.sessions}
    changed = [s for s in second.sessions if before.get(s.id) != s]
    removed = [s for sid, s in before.items() if sid not in after]
    assert changed or removed  # the absent worker's session on that day had to go
    assert {s.child for s in changed + removed} <= theirs
    assert all(
        victim.worker not in (s.worker, s.with_worker) for s in changed if s.start.date() == day
    )
    keys = {(a.child, a.start, a.end, a.key_worker) for a in first.allocations}
    assert {(a.child, a.start, a.end, a.key_worker) for a in second.allocations} == keys

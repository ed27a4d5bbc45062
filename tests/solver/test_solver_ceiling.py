"""The continuity ceiling (issue 11): the share of sessions that could be with the key
worker at best, so that a manager can tell an unavoidable break from a poor plan."""

from __future__ import annotations

import datetime as dt

from solver_builders import MONDAY, make_child, make_instance, make_worker, solve_valid

from solver import Absence


def test_ceiling_is_full_when_every_key_worker_is_there() -> None:
    instance = make_instance(
        [make_worker("W1"), make_worker("W2")],
        [make_child("YP-1", current_key_worker="W1"), make_child("YP-2", current_key_worker="W2")],
        weeks=4,
    )
    metrics = solve_valid(instance).metrics
    assert metrics.key_worker_ceiling_pct == 100.0
    assert metrics.sessions_with_key_worker_pct == 100.0


def test_ceiling_counts_the_weeks_a_kept_key_worker_is_away() -> None:
    # W1 is away for weeks 2 and 3 of 4: the child keeps W1 (SPEC), the secondary covers
    # those two weeks' sessions, and no plan could do better than 2 of 4 with W1.
    away = Absence(MONDAY + dt.timedelta(days=7), MONDAY + dt.timedelta(days=20))
    instance = make_instance(
        [make_worker("W1", absences=(away,)), make_worker("W2")],
        [make_child("YP-1", current_key_worker="W1")],
        weeks=4,
    )
    metrics = solve_valid(instance).metrics
    assert metrics.key_worker_ceiling_pct == 50.0
    assert metrics.sessions_with_key_worker_pct == 50.0


def test_ceiling_is_never_below_the_share_achieved() -> None:
    away = Absence(MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=4))
    instance = make_instance(
        [make_worker("W1", absences=(away,)), make_worker("W2")],
        [make_child(f"YP-{i}", current_key_worker="W1") for i in range(4)],
        weeks=2,
    )
    metrics = solve_valid(instance).metrics
    assert metrics.sessions_with_key_worker_pct <= metrics.key_worker_ceiling_pct

"""Rule 3's cross-team cover: another team's worker only where nobody in the team can."""

from __future__ import annotations

import datetime as dt

from solver_builders import (
    MONDAY,
    at,
    kinds,
    make_child,
    make_instance,
    make_session,
    make_worker,
    solve_valid,
)

from solver import Absence, CurrentAllocation

AWAY = Absence(MONDAY, MONDAY + dt.timedelta(days=6))


def test_cover_comes_from_another_team_when_nobody_in_the_team_can() -> None:
    instance = make_instance(
        [
            make_worker("W1", skills=frozenset({"bsl"}), absences=(AWAY,)),
            make_worker("W2"),  # in the team, but cannot sign
            make_worker("W3", team="B", skills=frozenset({"bsl"})),
        ],
        [make_child("YP-1", current_key_worker="W1", required_skills=frozenset({"bsl"}))],
        weeks=1,
    )
    solution = solve_valid(instance)
    (session,) = solution.sessions
    assert (session.worker, session.cover) == ("W3", True)
    (cover,) = [f for f in solution.findings if f.kind == "COVER"]
    assert cover.worker == "W3" and cover.severity == "medium"
    assert "from team B, as nobody in team A is free then" in cover.message
    assert "UNMET_SESSIONS" not in kinds(solution)


def test_no_cross_team_cover_while_someone_in_the_team_can() -> None:
    instance = make_instance(
        [
            make_worker("W1", absences=(AWAY,)),
            make_worker("W2", hours_per_week=1.0),  # one hour a week: enough for one session
            make_worker("W3", team="B"),
        ],
        [make_child("YP-1", current_key_worker="W1")],
        weeks=1,
    )
    solution = solve_valid(instance)
    (session,) = solution.sessions
    assert session.worker == "W2"


def test_without_anyone_in_any_team_the_session_stays_unmet() -> None:
    instance = make_instance(
        [
            make_worker("W1", skills=frozenset({"bsl"}), absences=(AWAY,)),
            make_worker("W3", team="B"),  # free, but cannot sign either
        ],
        [make_child("YP-1", current_key_worker="W1", required_skills=frozenset({"bsl"}))],
        weeks=1,
    )
    solution = solve_valid(instance)
    assert solution.sessions == ()
    assert "UNMET_SESSIONS" in kinds(solution)


def test_a_replan_keeps_the_cross_team_cover_it_already_has() -> None:
    week = MONDAY + dt.timedelta(days=7)  # clear of the freeze window
    away = Absence(week, week + dt.timedelta(days=6))
    wednesday = at(week + dt.timedelta(days=2), 14)  # not the first free slot
    instance = make_instance(
        [
            make_worker("W1", skills=frozenset({"bsl"}), absences=(away,)),
            make_worker("W2"),
            make_worker("W3", team="B", skills=frozenset({"bsl"})),
        ],
        [make_child("YP-1", current_key_worker="W1", required_skills=frozenset({"bsl"}))],
        existing=[make_session("x1", "YP-1", "W3", wednesday)],
        current_allocations=(
            CurrentAllocation("YP-1", "W1", None, week, week + dt.timedelta(days=6)),
        ),
        horizon_start=week,
        weeks=1,
    )
    solution = solve_valid(instance)
    (session,) = solution.sessions
    assert (session.id, session.worker, session.start) == ("x1", "W3", wednesday)

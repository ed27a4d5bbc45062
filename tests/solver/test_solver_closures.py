"""Closed days (bank holidays, team days) reach the solver as absences with ``closure``
set: rules 2 and 6 hold, another team may cover under rule 3, keeping the key worker
through a closure costs nothing, and messages say the team is closed, not that a
worker is absent (issue #12)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from solver_builders import (
    MONDAY,
    at,
    make_child,
    make_instance,
    make_plan,
    make_session,
    make_worker,
    solve_valid,
)

from solver import Absence, Solution, suggest, validate
from solver.common_sense import common_sense

FRIDAY = MONDAY + dt.timedelta(days=4)
TEAM_DAY = Absence(MONDAY, FRIDAY, closure="team A away week")


def _messages(solution: Solution) -> list[str]:
    return [f.message for f in solution.findings]


def test_a_closed_week_is_covered_by_an_open_team_and_validate_refuses_the_closed_one() -> None:
    instance = make_instance(
        [make_worker("W1", absences=(TEAM_DAY,)), make_worker("W2", team="B")],
        [make_child("YP-1", current_key_worker="W1")],
    )
    solution = solve_valid(instance)
    first_week = [s for s in solution.sessions if s.start.date() <= FRIDAY]
    # rule 3: no one in team A can, so a worker of the open team B covers
    assert [s.worker for s in first_week] == ["W2"]
    # keeping the key worker through a closure costs nothing: no change, no new worker
    assert {a.key_worker for a in solution.allocations} == {"W1"}
    assert "KEYWORKER_CHANGE" not in [f.kind for f in solution.findings]

    index = solution.sessions.index(first_week[0])
    sessions = list(solution.sessions)
    sessions[index] = replace(first_week[0], worker="W1")
    problems = validate(instance, replace(solution, sessions=tuple(sessions)))
    assert [p.rule for p in problems if p.rule == 2] == [2]
    assert any("team A is closed" in p.message and "team A away week" in p.message
               for p in problems)  # fmt: skip
    assert not any("absent" in p.message for p in problems)


def test_rule6_capacity_is_pro_rata_in_a_closure_week() -> None:
    # 5 h over Mon-Fri; closed Mon-Tue -> 3 h that week: three of five sessions
    closed = Absence(MONDAY, MONDAY + dt.timedelta(days=1), closure="bank holiday: test")
    instance = make_instance(
        [make_worker("W1", hours_per_week=5, absences=(closed,))],
        [make_child(f"YP-{i}", current_key_worker="W1") for i in range(5)],
        weeks=2,
    )
    solution = solve_valid(instance)
    sunday = MONDAY + dt.timedelta(days=6)
    first = sum(1 for s in solution.sessions if s.start.date() <= sunday)
    assert (first, len(solution.sessions) - first) == (3, 5)
    unmet = [f for f in solution.findings if f.kind == "UNMET_SESSIONS"]
    assert len(unmet) == 2
    assert not any("absent" in m or "is away" in m for m in _messages(solution))


def test_a_gap_over_a_long_closure_is_a_contact_gap_that_names_the_closure() -> None:
    closed = Absence(MONDAY, MONDAY + dt.timedelta(days=16), closure="team A closed")
    instance = make_instance(
        [make_worker("W1", absences=(closed,))],
        [make_child("YP-1", current_key_worker="W1")],
        [make_plan("YP-1", max_gap_days=7)],
        weeks=4,
    )
    solution = solve_valid(instance)
    gaps = [f for f in solution.findings if f.kind == "CONTACT_GAP"]
    assert gaps, solution.findings
    assert all("the team is closed on" in g.message for g in gaps)
    assert not any("absent" in m or "is away" in m for m in _messages(solution))
    assert common_sense(instance, solution) == []


def test_a_frozen_session_on_a_newly_closed_day_is_cancelled_with_the_closure_as_reason() -> None:
    closed = Absence(MONDAY, MONDAY, closure="bank holiday: test day")
    frozen = make_session("S1", "YP-1", "W1", at(MONDAY, 10))  # inside the 48-hour freeze
    instance = make_instance(
        [make_worker("W1", absences=(closed,))],
        [make_child("YP-1", current_key_worker="W1")],
        existing=[frozen],
    )
    solution = solve_valid(instance)
    assert "S1" not in {s.id for s in solution.sessions}
    [change] = [f for f in solution.findings if f.kind == "FROZEN_CHANGE"]
    assert change.session == "S1" and change.severity == "high"
    assert "W1's team A is closed on 2027-01-04 (bank holiday: test day)" in change.message


def test_a_session_held_on_a_day_closed_afterwards_stays_as_it_happened() -> None:
    held_day = MONDAY - dt.timedelta(days=4)  # the Thursday before the horizon
    closed = Absence(held_day, held_day, closure="team A closed")
    held = make_session("S0", "YP-1", "W1", at(held_day, 10))
    instance = make_instance(
        [make_worker("W1", absences=(closed,))],
        [make_child("YP-1", current_key_worker="W1")],
        existing=[held],
    )
    solution = solve_valid(instance)
    [kept] = [s for s in solution.sessions if s.id == "S0"]
    assert kept.past and kept.worker == "W1"
    assert "FROZEN_CHANGE" not in [f.kind for f in solution.findings]


def test_suggest_does_not_call_a_closed_day_a_candidates_absence() -> None:
    instance = make_instance(
        [make_worker("W1", absences=(TEAM_DAY,)), make_worker("W2", absences=(TEAM_DAY,))],
        [make_child("YP-1")],
    )
    candidates = suggest(instance, "YP-1")
    assert [c.worker for c in candidates] == ["W1", "W2"]
    assert not any("away" in reason for c in candidates for reason in c.reasons)
    assert all(dict(c.costs)["days_away"] == 0 for c in candidates)

"""One passing and one failing case per hard planning rule (SPEC rules 1-8).

Passing: the solver's plan for an instance where the rule binds keeps it (and
``validate`` agrees). Failing: the same plan, tampered to break the rule, is
caught by ``validate`` under that rule's number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from solver_builders import (
    MONDAY,
    NOW,
    at,
    make_child,
    make_instance,
    make_plan,
    make_session,
    make_worker,
    solve_valid,
)

from solver import Absence, Solution, Window, validate


def _rules(instance: object, solution: Solution) -> set[int]:
    return {v.rule for v in validate(instance, solution)}  # type: ignore[arg-type]


def _with_session(solution: Solution, index: int, **changes: object) -> Solution:
    sessions = list(solution.sessions)
    sessions[index] = replace(sessions[index], **changes)  # type: ignore[arg-type]
    return replace(solution, sessions=tuple(sessions))


def _shift(solution: Solution, index: int, minutes: int) -> Solution:
    s = solution.sessions[index]
    delta = dt.timedelta(minutes=minutes)
    return _with_session(solution, index, start=s.start + delta, end=s.end + delta)


# -- rule 1: length, 15-minute grid, availability, plan in force, horizon, not before now
def test_rule1_pass_sessions_fit_the_childs_evening_window() -> None:
    evening = tuple(Window(d, dt.time(16), dt.time(18)) for d in range(5))
    late = tuple(Window(d, dt.time(12), dt.time(20)) for d in range(5))
    instance = make_instance(
        [make_worker("W1", availability=late)],
        [make_child("YP-1", availability=evening)],
        [make_plan("YP-1", session_minutes=90)],
    )
    solution = solve_valid(instance)
    for s in solution.sessions:
        local = s.start.astimezone(s.start.tzinfo)
        assert dt.time(16) <= local.time() and (s.end - s.start) == dt.timedelta(minutes=90)


def test_rule1_fail_outside_window_off_grid_and_wrong_length() -> None:
    instance = make_instance([make_worker("W1")], [make_child("YP-1")])
    solution = solve_valid(instance)
    assert 1 in _rules(instance, _shift(solution, 0, 10))  # off the 15-minute grid
    assert 1 in _rules(instance, _shift(solution, 0, -600))  # before 09:00
    s = solution.sessions[0]
    assert 1 in _rules(instance, _with_session(solution, 0, end=s.end + dt.timedelta(minutes=15)))
    before_plan = make_instance(
        [make_worker("W1")], [make_child("YP-1")], [make_plan("YP-1", start_date=MONDAY)]
    )
    moved = _with_session(solution, 0, start=at(MONDAY, 9) - dt.timedelta(days=3))
    assert 1 in _rules(before_plan, moved) or 8 in _rules(before_plan, moved)


# -- rule 2: employed and not absent
def test_rule2_pass_absent_key_worker_is_not_scheduled() -> None:
    away = Absence(MONDAY, MONDAY + dt.timedelta(days=6))
    instance = make_instance(
        [make_worker("W1", absences=(away,)), make_worker("W2")],
        [make_child("YP-1", current_key_worker="W1", current_secondary_worker="W2")],
    )
    solution = solve_valid(instance)
    first_week = [s for s in solution.sessions if s.start.date() <= away.end]
    assert first_week and all(s.worker == "W2" for s in first_week)


def test_rule2_fail_session_on_an_absence_day() -> None:
    away = Absence(MONDAY, MONDAY + dt.timedelta(days=6))
    instance = make_instance(
        [make_worker("W1", absences=(away,)), make_worker("W2")],
        [make_child("YP-1", current_key_worker="W1")],
    )
    solution = solve_valid(instance)
    index = next(i for i, s in enumerate(solution.sessions) if s.start.date() <= away.end)
    assert 2 in _rules(instance, _with_session(solution, index, worker="W1"))


# -- rule 3: skills, language, exclusion; key and secondary of the child's team
def test_rule3_pass_only_the_skilled_speaker_holds_the_case() -> None:
    instance = make_instance(
        [
            make_worker("W1"),
            make_worker("W2", skills=frozenset({"bsl"})),
            make_worker("W3", skills=frozenset({"bsl"}), languages=frozenset({"pa"})),
            make_worker("W4", skills=frozenset({"bsl"}), languages=frozenset({"pa"})),
        ],
        [
            make_child(
                "YP-1",
                required_skills=frozenset({"bsl"}),
                language="pa",
                excluded_workers=frozenset({"W4"}),
            )
        ],
    )
    solution = solve_valid(instance)
    assert solution.allocations[0].key_worker == "W3"
    assert solution.allocations[0].secondary_worker is None  # W4 excluded, W1/W2 unfit


def test_rule3_fail_unskilled_excluded_or_other_team() -> None:
    instance = make_instance(
        [
            make_worker("W1", skills=frozenset({"cse"})),
            make_worker("W2"),
            make_worker("W9", team="B", skills=frozenset({"cse"})),
        ],
        [
            make_child(
                "YP-1", required_skills=frozenset({"cse"}), excluded_workers=frozenset({"W2"})
            )
        ],
    )
    solution = solve_valid(instance)
    assert 3 in _rules(instance, _with_session(solution, 0, worker="W2"))
    allocation = replace(solution.allocations[0], key_worker="W9")
    assert 3 in _rules(instance, replace(solution, allocations=(allocation,)))


# -- rule 4: no overlap, travel time between same-day sessions
def test_rule4_pass_one_worker_two_distant_children_same_day() -> None:
    short_day = (Window(0, dt.time(9), dt.time(12)),)
    instance = make_instance(
        [make_worker("W1", availability=short_day, hours_per_week=20)],
        [
            make_child("YP-1", lat=51.50, lon=-0.12),
            make_child("YP-2", lat=51.60, lon=-0.12),  # 11 km: 29 min -> 30 min travel
        ],
        weeks=1,
    )
    solution = solve_valid(instance)
    ordered = sorted(solution.sessions, key=lambda s: s.start)
    assert len(ordered) == 2
    assert ordered[1].start - ordered[0].end >= dt.timedelta(minutes=30)


def test_rule4_fail_overlap_and_too_little_travel() -> None:
    instance = make_instance(
        [make_worker("W1"), make_worker("W2")],
        [
            make_child("YP-1", lat=51.50, lon=-0.12, current_key_worker="W1"),
            make_child("YP-2", lat=51.60, lon=-0.12, current_key_worker="W2"),
        ],
        weeks=1,
    )
    solution = solve_valid(instance)
    one, two = (
        next(i for i, s in enumerate(solution.sessions) if s.child == c) for c in ("YP-1", "YP-2")
    )
    first = solution.sessions[one]
    same = _with_session(solution, two, worker="W1", start=first.start, end=first.end)
    assert 4 in _rules(instance, same)
    gap = dt.timedelta(minutes=60 + 15)
    close = _with_session(solution, two, worker="W1", start=first.start + gap, end=first.end + gap)
    assert 4 in _rules(instance, close)


# -- rule 5: at most one session a day per child
def test_rule5_pass_three_sessions_a_week_on_three_days() -> None:
    instance = make_instance(
        [make_worker("W1")], [make_child("YP-1")], [make_plan("YP-1", sessions=3)], weeks=1
    )
    solution = solve_valid(instance)
    assert len({s.start.date() for s in solution.sessions}) == 3


def test_rule5_fail_two_sessions_one_day() -> None:
    instance = make_instance(
        [make_worker("W1")], [make_child("YP-1")], [make_plan("YP-1", sessions=2)], weeks=1
    )
    solution = solve_valid(instance)
    a, b = solution.sessions[:2]
    moved = _with_session(
        solution, 1, start=a.start + dt.timedelta(hours=3), end=a.end + dt.timedelta(hours=3)
    )
    assert 5 in _rules(instance, moved)
    del b


# -- rule 6: weekly capacity, pro rata for absences
def test_rule6_pass_capacity_limits_sessions() -> None:
    instance = make_instance(
        [make_worker("W1", hours_per_week=2)],
        [make_child(f"YP-{i}", current_key_worker="W1") for i in range(3)],
        weeks=1,
    )
    solution = solve_valid(instance)
    assert sum(1 for s in solution.sessions if s.worker == "W1") == 2
    assert solution.metrics.sessions_scheduled == 2
    assert [f.kind for f in solution.findings].count("UNMET_SESSIONS") == 1


def test_rule6_fail_over_capacity_in_an_absence_week() -> None:
    # 10 h/week over 5 days; absent 4 days -> 2 h that week
    away = Absence(MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=4))
    instance = make_instance(
        [make_worker("W1", hours_per_week=10, absences=(away,)), make_worker("W2")],
        [make_child(f"YP-{i}", current_key_worker="W1") for i in range(3)],
        weeks=1,
    )
    solution = solve_valid(instance)
    assert sum(1 for s in solution.sessions if s.worker == "W1") <= 2
    others = [i for i, s in enumerate(solution.sessions) if s.worker != "W1"]
    tampered = solution
    for i in others:
        tampered = _with_session(tampered, i, worker="W1")
    assert 6 in _rules(instance, tampered) or 4 in _rules(instance, tampered)


# -- rule 7: caseload per day
def test_rule7_pass_caseload_limit_spreads_children() -> None:
    instance = make_instance(
        [make_worker("W1", max_caseload=1), make_worker("W2", max_caseload=1)],
        [make_child("YP-1", current_key_worker="W1"), make_child("YP-2", current_key_worker="W1")],
    )
    solution = solve_valid(instance)
    assert sorted(a.key_worker or "" for a in solution.allocations) == ["W1", "W2"]
    change = next(f for f in solution.findings if f.kind == "KEYWORKER_CHANGE")
    assert "caseload limit" in change.message


def test_rule7_fail_too_many_children_on_a_day() -> None:
    instance = make_instance(
        [make_worker("W1", max_caseload=1), make_worker("W2", max_caseload=1)],
        [make_child("YP-1"), make_child("YP-2")],
    )
    solution = solve_valid(instance)
    tampered = replace(
        solution,
        allocations=tuple(
            replace(a, key_worker="W1", secondary_worker=None) for a in solution.allocations
        ),
    )
    assert 7 in _rules(instance, tampered)


# -- rule 8: past, frozen and locked sessions never move
def _frozen_instance(sick: bool) -> object:
    tomorrow = at(MONDAY, 10)
    absences = (Absence(MONDAY, MONDAY + dt.timedelta(days=6)),) if sick else ()
    return make_instance(
        [make_worker("W1", absences=absences), make_worker("W2")],
        [make_child("YP-1", current_key_worker="W1", current_secondary_worker="W2")],
        existing=[
            make_session("held", "YP-1", "W1", at(MONDAY - dt.timedelta(days=7), 10)),
            make_session("frozen", "YP-1", "W1", tomorrow),
            make_session(
                "locked", "YP-1", "W1", at(MONDAY + dt.timedelta(days=9), 15), locked=True
            ),
        ],
    )


def test_rule8_pass_fixed_sessions_stay_and_sick_worker_is_replaced() -> None:
    instance = _frozen_instance(sick=False)
    solution = solve_valid(instance)  # type: ignore[arg-type]
    ids = {s.id: s for s in solution.sessions}
    assert ids["held"].past and not ids["frozen"].past and ids["locked"].locked
    assert ids["locked"].start == at(MONDAY + dt.timedelta(days=9), 15)
    sick = _frozen_instance(sick=True)
    solution = solve_valid(sick)  # type: ignore[arg-type]
    frozen = next(s for s in solution.sessions if s.id == "frozen")
    assert frozen.worker == "W2" and frozen.start == at(MONDAY, 10) and frozen.cover
    assert any(f.kind == "FROZEN_CHANGE" and f.session == "frozen" for f in solution.findings)


def test_rule8_pass_frozen_session_of_a_one_day_sickness_may_be_cancelled_and_replaced() -> None:
    tomorrow = at(MONDAY, 10)
    instance = make_instance(
        [make_worker("W1", absences=(Absence(MONDAY, MONDAY),)), make_worker("W2")],
        [make_child("YP-1", current_key_worker="W1", current_secondary_worker="W2")],
        existing=[make_session("frozen", "YP-1", "W1", tomorrow)],
    )
    solution = solve_valid(instance)
    kept = [s for s in solution.sessions if s.id == "frozen"]
    alert = [f for f in solution.findings if f.kind == "FROZEN_CHANGE"]
    assert len(alert) == 1 and alert[0].session == "frozen"
    if not kept:  # cancelled: the week's session goes to the key worker on another day
        first_week = [s for s in solution.sessions if s.start.date() < MONDAY + dt.timedelta(7)]
        assert [s.worker for s in first_week] == ["W1"]
        assert "cancelled" in alert[0].message


def test_rule8_fail_moving_a_locked_or_frozen_session() -> None:
    instance = _frozen_instance(sick=False)
    solution = solve_valid(instance)  # type: ignore[arg-type]
    index = next(i for i, s in enumerate(solution.sessions) if s.id == "locked")
    assert 8 in _rules(instance, _shift(solution, index, 60))
    index = next(i for i, s in enumerate(solution.sessions) if s.id == "frozen")
    assert 8 in _rules(instance, _with_session(solution, index, worker="W2"))
    dropped = replace(solution, sessions=tuple(s for s in solution.sessions if s.id != "locked"))
    assert 8 in _rules(instance, dropped)
    assert at(MONDAY, 10) > NOW

"""Plans replaced mid-horizon and contact gaps (issue 11, defects 2, 4 and 5).

Each figure is checked against SPEC's definition recomputed by ``spec_oracle``.
"""

from __future__ import annotations

import datetime as dt

import spec_oracle
from solver_builders import (
    LONDON,
    MONDAY,
    OFFICE,
    at,
    make_child,
    make_instance,
    make_plan,
    make_session,
    make_worker,
    solve_valid,
)

from solver import Absence, Instance, Solution
from solver.common_sense import common_sense

SATURDAY = MONDAY + dt.timedelta(days=5)


def _agrees_with_spec(instance: Instance, solution: Solution) -> None:
    ours = solution.metrics
    spec = spec_oracle.metrics(instance, solution)
    assert (ours.sessions_required, ours.sessions_scheduled) == (
        spec.sessions_required,
        spec.sessions_scheduled,
    )
    assert ours.sessions_with_key_worker_pct == spec.sessions_with_key_worker_pct
    gaps = {
        (f.child, f.start, f.end, f.limit) for f in solution.findings if f.kind == "CONTACT_GAP"
    }
    assert gaps == spec_oracle.contact_gaps(instance, solution)
    unmet = {(f.child, f.start, f.end) for f in solution.findings if f.kind == "UNMET_SESSIONS"}
    assert unmet == spec_oracle.unmet_periods(instance, solution)
    assert common_sense(instance, solution) == []


def test_defect2_a_plan_replaced_mid_week_keeps_its_own_count_and_session_length() -> None:
    # Weekly 30-minute sessions until Saturday, then one 120-minute session a fortnight
    # from Sunday: both plans' first weeks share Monday..Sunday. One session was held on
    # Monday; the old plan's week is met, the new plan's fortnight needs its own session.
    plans = [
        make_plan(end_date=SATURDAY, session_minutes=30),
        make_plan(start_date=SATURDAY + dt.timedelta(days=1), every_weeks=2, session_minutes=120),
    ]
    held = make_session("held", "YP-1", "W1", at(MONDAY, 10), minutes=30)
    # The worker is away for the new plan's days of that fortnight's first week, so
    # the new plan's first period is short: nothing may fill it on the old plan's days.
    away = Absence(SATURDAY + dt.timedelta(days=1), SATURDAY + dt.timedelta(days=8))
    instance = make_instance(
        [make_worker("W1", absences=(away,))],
        [make_child(current_key_worker="W1")],
        plans,
        [held],
        now=at(MONDAY, 12).astimezone(dt.UTC),
        weeks=3,
    )
    solution = solve_valid(instance)
    for s in solution.sessions:
        day = s.start.astimezone(LONDON).date()
        minutes = (s.end - s.start).total_seconds() / 60
        assert minutes == (30 if day <= SATURDAY else 120), s
    first_week = [s for s in solution.sessions if s.start.astimezone(LONDON).date() <= SATURDAY]
    assert [s.id for s in first_week] == ["held"]
    _agrees_with_spec(instance, solution)


def test_defect4_a_gap_is_judged_by_the_limit_of_the_plan_in_force() -> None:
    # Three a week (max_gap_days 7) until Friday 2027-01-15, then one every two weeks
    # (default 14). A re-plan from Thursday 2027-01-14, ten days into the plan; the
    # key worker is away from 2027-01-19 to 2027-01-27, so the fortnightly plan's
    # sessions fall 11 days apart or so: within its limit of 14.
    thursday = dt.date(2027, 1, 14)
    plans = [
        make_plan(start_date=dt.date(2026, 12, 7), end_date=dt.date(2027, 1, 15), sessions=3,
                  max_gap_days=7),
        make_plan(start_date=dt.date(2027, 1, 16), every_weeks=2),
    ]  # fmt: skip
    held = [
        make_session(f"held-{d}", "YP-1", "W1", at(dt.date(2027, 1, d), 10)) for d in (11, 12, 13)
    ]
    worker = make_worker("W1", absences=(Absence(dt.date(2027, 1, 19), dt.date(2027, 1, 27)),))
    instance = make_instance(
        [worker, make_worker("W2")],
        [make_child(current_key_worker="W1")],
        plans,
        held,
        now=at(dt.date(2027, 1, 13), 23).astimezone(dt.UTC),
        horizon_start=thursday,
        weeks=4,
    )
    solution = solve_valid(instance)
    for f in solution.findings:
        if f.kind == "CONTACT_GAP" and f.start > dt.date(2027, 1, 15):
            assert f.limit == 14, f.message
            assert "limit 7" not in f.message
    # the old plan's last week (3 required over 5 in-force days) counts the held sessions
    assert (
        solution.metrics.sessions_required
        == spec_oracle.metrics(instance, solution).sessions_required
    )
    _agrees_with_spec(instance, solution)


def test_defect4_a_period_whose_plan_ended_just_before_the_horizon_still_counts() -> None:
    # The old fortnightly plan ended on the Monday before the horizon's Thursday start;
    # its period ends inside the horizon, so SPEC counts it (with the held session).
    thursday = MONDAY + dt.timedelta(days=3)
    plans = [
        make_plan(start_date=dt.date(2026, 12, 28), end_date=MONDAY, every_weeks=2),
        make_plan(start_date=MONDAY + dt.timedelta(days=1)),
    ]
    held = [make_session("held", "YP-1", "W1", at(MONDAY, 10))]
    instance = make_instance(
        [make_worker("W1")],
        [make_child(current_key_worker="W1")],
        plans,
        held,
        now=at(MONDAY + dt.timedelta(days=2), 23).astimezone(dt.UTC),
        horizon_start=thursday,
    )
    solution = solve_valid(instance)
    spec = spec_oracle.metrics(instance, solution)
    assert solution.metrics.sessions_required == spec.sessions_required
    assert solution.metrics.sessions_scheduled == spec.sessions_scheduled
    _agrees_with_spec(instance, solution)


def test_defect5_a_contact_gap_running_to_the_horizon_end_ends_on_that_day() -> None:
    # The key worker is off from the second day for the rest of the horizon; the
    # secondary covers, so the gap runs from the day after the last contact to the end.
    worker = make_worker(
        "W1", absences=(Absence(MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=60)),)
    )
    instance = make_instance(
        [worker, make_worker("W2")],
        [
            make_child(
                current_key_worker="W1", last_key_worker_contact=MONDAY - dt.timedelta(days=3)
            )
        ],
        weeks=4,
    )
    solution = solve_valid(instance)
    gaps = [f for f in solution.findings if f.kind == "CONTACT_GAP"]
    assert len(gaps) == 1
    assert gaps[0].end == instance.horizon_end
    assert gaps[0].start == MONDAY + dt.timedelta(days=1)  # the day after Monday's session
    _agrees_with_spec(instance, solution)


def test_defect5_a_gap_with_no_contact_before_starts_on_its_first_day() -> None:
    # A new referral whose only worker is away for the whole horizon: no contact at all.
    worker = make_worker(
        "W1", availability=OFFICE, absences=(Absence(MONDAY, MONDAY + dt.timedelta(days=60)),)
    )
    instance = make_instance([worker, make_worker("W2", team="B")], [make_child()], weeks=3)
    solution = solve_valid(instance)
    gaps = [f for f in solution.findings if f.kind == "CONTACT_GAP"]
    assert [(g.start, g.end) for g in gaps] == [(MONDAY, instance.horizon_end)]
    _agrees_with_spec(instance, solution)

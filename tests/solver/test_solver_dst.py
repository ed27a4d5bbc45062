"""Clock-change weeks in London (2027-03-28 spring forward, 2027-10-31 fall back)."""

from __future__ import annotations

import datetime as dt

from solver_builders import LONDON, make_child, make_instance, make_plan, make_worker, solve_valid

from solver import Window
from solver.timegrid import local_datetime, place_session

NIGHT = tuple(Window(d, dt.time(0), dt.time(4)) for d in range(7))


def _night_instance(monday: dt.date, now: dt.datetime) -> object:
    return make_instance(
        [make_worker("W1", availability=NIGHT, hours_per_week=20)],
        [make_child("YP-1", availability=NIGHT)],
        [make_plan("YP-1", sessions=7, session_minutes=120, start_date=monday)],
        horizon_start=monday,
        now=now,
        weeks=1,
    )


def test_spring_forward_skips_the_missing_hour_and_keeps_elapsed_length() -> None:
    monday = dt.date(2027, 3, 22)
    solution = solve_valid(_night_instance(monday, dt.datetime(2027, 3, 21, 12, tzinfo=dt.UTC)))  # type: ignore[arg-type]
    assert len(solution.sessions) == 7
    sunday = next(s for s in solution.sessions if s.start.astimezone(LONDON).date().day == 28)
    assert sunday.end - sunday.start == dt.timedelta(minutes=120)
    start, end = sunday.start.astimezone(LONDON), sunday.end.astimezone(LONDON)
    assert start.hour != 1  # 01:00-01:59 does not exist that night
    wall = dt.datetime.combine(end.date(), end.time()) - dt.datetime.combine(
        start.date(), start.time()
    )
    crosses = start.hour < 1 < end.hour or (start.hour == 0 and end.hour >= 2)
    assert wall == dt.timedelta(hours=3 if crosses else 2)
    assert local_datetime(dt.date(2027, 3, 28), 60, LONDON) is None  # 01:00 does not exist


def test_fall_back_keeps_elapsed_length_inside_the_window() -> None:
    monday = dt.date(2027, 10, 25)
    solution = solve_valid(_night_instance(monday, dt.datetime(2027, 10, 24, 12, tzinfo=dt.UTC)))  # type: ignore[arg-type]
    assert len(solution.sessions) == 7
    sunday = next(s for s in solution.sessions if s.start.astimezone(LONDON).date().day == 31)
    assert sunday.end - sunday.start == dt.timedelta(minutes=120)
    start, end = sunday.start.astimezone(LONDON), sunday.end.astimezone(LONDON)
    wall = dt.datetime.combine(end.date(), end.time()) - dt.datetime.combine(
        start.date(), start.time()
    )
    assert wall in (
        dt.timedelta(hours=1),
        dt.timedelta(hours=2),
    )  # 1 h when it spans 01:00-02:00 twice


def test_place_session_refuses_a_wall_clock_end_outside_the_stretch() -> None:
    # 02:00-04:00 on fall-back night: 2 h elapsed ends at 03:00 wall clock, inside
    assert place_session(dt.date(2027, 10, 31), 120, 120, (0, 240), LONDON) is not None
    # 23:00 start on spring-forward eve, 2 h: crosses midnight, refused
    assert place_session(dt.date(2027, 3, 27), 23 * 60, 120, (0, 1439), LONDON) is None
    # a session may not start in the missing hour
    assert place_session(dt.date(2027, 3, 28), 75, 30, (0, 240), LONDON) is None


def test_weekly_capacity_and_contact_across_the_change_week() -> None:
    monday = dt.date(2027, 3, 22)
    instance = make_instance(
        [make_worker("W1"), make_worker("W2")],
        [make_child(f"YP-{i}", current_key_worker=f"W{i % 2 + 1}") for i in range(6)],
        [make_plan(f"YP-{i}", sessions=2, start_date=monday) for i in range(6)],
        horizon_start=monday,
        now=dt.datetime(2027, 3, 21, 12, tzinfo=dt.UTC),
        weeks=2,
    )
    solution = solve_valid(instance)
    assert solution.metrics.sessions_scheduled == solution.metrics.sessions_required == 24
    after = [s for s in solution.sessions if s.start.date() > dt.date(2027, 3, 28)]
    assert all(s.start.astimezone(LONDON).utcoffset() == dt.timedelta(hours=1) for s in after)

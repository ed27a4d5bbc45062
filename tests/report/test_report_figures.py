"""Continuity figures computed from stored history, checked against hand-worked values."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.db import Database
from scheduler.errors import NotFound
from scheduler.report import (
    ALL_TEAMS,
    ContinuityReport,
    Gap,
    KeyRecord,
    build_report,
    continuity_index,
    count_changes,
    longest_gap,
    relationship_since,
    report_period,
)
from tests.report.test_report_builders import (
    AS_OF,
    ZONE,
    hand_worked_team,
    held,
    key,
    make_child,
    make_plan,
    make_version,
    make_worker,
)


def _report(database: Database, **options: object) -> ContinuityReport:
    with database.reading() as session:
        return build_report(session, as_of=AS_OF, zone=ZONE, **options)  # type: ignore[arg-type]


def test_hand_worked_figures_per_child(database: Database) -> None:
    hand_worked_team(database)
    report = _report(database)

    assert report.period.start == date(2025, 11, 27)
    assert report.period.end == date(2026, 11, 27)
    assert [c.ref for c in report.children] == ["YP-A", "YP-B", "YP-C"]  # YP-D out of scope
    a, b, c = report.children

    assert (a.key_worker, a.key_worker_since, a.tenure_days) == ("W001", date(2026, 6, 1), 179)
    assert (a.sessions_held, a.sessions_with_key_worker) == (5, 4)
    assert a.upc == pytest.approx(0.8)
    assert a.coc == pytest.approx(0.6)
    assert a.workers_seen == ("W001", "W003")
    assert a.changes == 1
    assert a.longest_gap == Gap(date(2026, 10, 26), date(2026, 11, 16), 21)
    assert (a.max_gap_days, a.gap_exceeded) == (14, True)
    assert (a.wishes_stated, a.wishes_honoured) == (False, None)

    assert (b.key_worker, b.tenure_days, b.changes) == ("W002", 210, 2)
    assert (b.upc, b.coc) == (1.0, None)
    assert b.longest_gap == Gap(date(2025, 11, 27), date(2026, 11, 20), 358)
    assert (b.max_gap_days, b.gap_exceeded) == (28, True)
    assert (b.wishes_stated, b.wishes_honoured) == (True, True)

    assert (c.key_worker, c.changes, c.sessions_held, c.upc, c.coc) == ("W001", 0, 0, None, None)
    assert c.longest_gap == Gap(date(2026, 3, 1), date(2026, 11, 27), 271)
    assert (c.wishes_stated, c.wishes_honoured) == (True, False)


def test_hand_worked_team_rows_and_workload(database: Database) -> None:
    hand_worked_team(database)
    report = _report(database)

    north, south, every = report.teams
    assert (north.team, south.team, every.team) == ("North", "South", ALL_TEAMS)
    assert north.children == 2
    assert north.tenure_mean == pytest.approx(194.5)
    assert (north.upc_mean, north.upc_median) == (pytest.approx(0.9), pytest.approx(0.9))
    assert north.coc_mean == pytest.approx(0.6)
    assert (north.changed_once_pct, north.changed_twice_pct) == (100.0, 50.0)
    assert north.over_gap == 2
    assert (north.wishes_stated, north.wishes_honoured, north.wishes_honoured_pct) == (1, 1, 100.0)
    assert (south.children, south.changed_once_pct, south.wishes_honoured_pct) == (1, 0.0, 0.0)
    assert every.children == 3
    assert every.changed_once_pct == pytest.approx(200 / 3)
    assert every.changed_twice_pct == pytest.approx(100 / 3)

    loads = {w.ref: w for w in report.workload}
    assert report.workload[0].weeks[0].week == date(2025, 11, 24)  # the window's ISO week
    assert report.workload[0].weeks[-1].week == date(2026, 11, 30)  # the planned session
    w1 = {k.week: (k.held_minutes, k.planned_minutes) for k in loads["W001"].weeks}
    assert w1[date(2026, 10, 5)] == (60, 0)
    assert w1[date(2026, 11, 30)] == (0, 60)
    assert (loads["W001"].held_minutes, loads["W001"].planned_minutes) == (240, 60)
    assert loads["W002"].held_minutes == 90
    assert loads["W003"].held_minutes == 60  # the removed session does not count


def test_team_filter_and_one_child(database: Database) -> None:
    hand_worked_team(database)
    north = _report(database, team="North")
    assert [c.ref for c in north.children] == ["YP-A", "YP-B"]
    assert [t.team for t in north.teams] == ["North"]
    assert [w.ref for w in north.workload] == ["W001", "W002"]

    one = _report(database, child="YP-A")
    figures, timeline = one.child("YP-A")
    assert figures.upc == pytest.approx(0.8)
    assert [(s.worker, s.start, s.end, s.changed) for s in timeline.spans] == [
        ("W002", date(2025, 11, 27), date(2026, 5, 31), False),
        ("W001", date(2026, 6, 1), date(2026, 11, 27), True),
    ]
    october = next(m for m in timeline.months if m.month == date(2026, 10, 1))
    assert (october.sessions, october.with_key_worker, october.upc) == (4, 3, 0.75)
    assert [w.ref for w in one.workload] == ["W001", "W003"]
    with pytest.raises(NotFound):
        _report(database, child="YP-NOPE")


def test_joint_handover_counts_for_the_key_worker(database: Database) -> None:
    with database.transaction() as s:
        version = make_version(s)
        old = make_worker(s)
        new = make_worker(s, ref="W002")
        child = make_child(s)
        make_plan(s, child, start_date=date(2026, 10, 1))
        key(s, child, old, date(2026, 10, 1), date(2026, 11, 9))
        key(s, child, new, date(2026, 11, 10))
        held(s, child, old, date(2026, 11, 2), version=version)
        held(s, child, old, date(2026, 11, 9), version=version, with_worker=new)  # handover
        held(s, child, old, date(2026, 11, 16), version=version, with_worker=new)
        held(s, child, new, date(2026, 11, 23), version=version)
    (figures,) = _report(database).children
    # Nov 16: old delivers, new (the key worker that day) is there: with the key worker.
    assert (figures.sessions_held, figures.sessions_with_key_worker) == (4, 4)
    # Counted for old, old, new, new: (4 + 4 - 4) / (4 * 3).
    assert figures.coc == pytest.approx(1 / 3)
    assert (figures.changes, figures.tenure_days) == (1, 17)


def test_empty_database_gives_an_empty_report(database: Database) -> None:
    report = _report(database)
    assert report.is_empty
    assert (report.children, report.teams, report.workload) == ((), (), ())


# --- the formulas on their own ----------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [([4, 1], 0.6), ([1, 1, 1], 0.0), ([3], 1.0), ([2, 2], 1 / 3), ([1], None), ([], None)],
)
def test_continuity_index(counts: list[int], expected: float | None) -> None:
    assert continuity_index(counts) == (None if expected is None else pytest.approx(expected))


@given(st.lists(st.integers(min_value=0, max_value=50), max_size=8))
def test_continuity_index_lies_between_0_and_1(counts: list[int]) -> None:
    value = continuity_index(counts)
    if sum(counts) < 2:
        assert value is None
    else:
        assert value is not None
        assert 0.0 <= value <= 1.0
        assert (value == 1.0) == (sum(1 for n in counts if n) == 1)


def test_longest_gap_counts_both_ends_and_picks_the_first_of_equals() -> None:
    d = date(2026, 1, 1)
    assert longest_gap([], d, date(2026, 1, 11)) == Gap(d, date(2026, 1, 11), 10)
    contacts = [date(2026, 1, 3), date(2026, 1, 8)]
    assert longest_gap(contacts, d, date(2026, 1, 13)) == Gap(date(2026, 1, 3), date(2026, 1, 8), 5)
    assert longest_gap([d], d, d) == Gap(d, d, 0)
    assert longest_gap([], date(2026, 2, 1), d) is None


def _row(row_id: int, worker: int, start: date, end: date | None = None) -> KeyRecord:
    return KeyRecord(row_id, 1, worker, start, end)


def test_changes_skip_the_first_key_worker_and_the_same_worker_again() -> None:
    rows = [
        _row(1, 7, date(2026, 1, 1), date(2026, 3, 31)),
        _row(2, 7, date(2026, 4, 1), date(2026, 5, 31)),  # same worker: no change
        _row(3, 8, date(2026, 6, 1), date(2026, 6, 30)),
        _row(4, 7, date(2026, 7, 1)),
    ]
    assert count_changes(rows, date(2025, 12, 1), date(2026, 12, 1)) == 2
    assert count_changes(rows, date(2026, 6, 15), date(2026, 12, 1)) == 1
    assert count_changes(rows[:1], date(2025, 1, 1), date(2026, 12, 1)) == 0
    assert relationship_since(rows, rows[1]) == date(2026, 1, 1)
    assert relationship_since(rows, rows[3]) == date(2026, 7, 1)


def test_window_reaches_back_whole_months_and_clamps_the_day() -> None:
    from datetime import UTC, datetime

    period = report_period(datetime(2026, 3, 31, 12, tzinfo=UTC), ZONE, 1)
    assert (period.start, period.end) == (date(2026, 2, 28), date(2026, 3, 31))
    with pytest.raises(ValueError, match="aware"):
        report_period(datetime(2026, 3, 31, 12), ZONE, 12)  # noqa: DTZ001


def test_gaps_start_with_the_records(database: Database) -> None:
    """Before keyworker's first plan nothing was recorded: that is not a gap."""
    with database.transaction() as s:
        worker = make_worker(s)
        child = make_child(s)
        make_plan(s, child, start_date=date(2025, 1, 1))
        key(s, child, worker, date(2025, 1, 1))
    (figures,) = _report(database).children
    assert (figures.longest_gap, figures.gap_exceeded) == (None, False)  # nothing recorded

    with database.transaction() as s:
        version = make_version(s, horizon_start=date(2026, 11, 2))
        for day in (date(2026, 11, 9), date(2026, 11, 16)):
            held(s, child, worker, day, version=version)
    (figures,) = _report(database).children
    assert figures.longest_gap == Gap(date(2026, 11, 16), date(2026, 11, 27), 11)
    assert figures.gap_exceeded is False

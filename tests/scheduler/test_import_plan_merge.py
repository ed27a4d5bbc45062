"""Properties of ``merge_plans`` (SPEC "Import rules", support plans), without a database.

Whatever rows are imported over whatever stored plans: either the import has conflicts,
or afterwards no two plans of the child overlap, every row is stored as given (but for
an end date a later plan set), and only open-ended plans are ever closed.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.csv_import.plans import PlanState, merge_plans
from scheduler.csv_import.rows import PlanRow

DAY0 = date(2027, 1, 4)


def _day(n: int) -> date:
    return DAY0 + timedelta(days=n)


_ROW = st.tuples(st.integers(0, 60), st.one_of(st.none(), st.integers(0, 30)), st.integers(1, 7))


def _rows(specs: list[tuple[int, int | None, int]]) -> list[PlanRow]:
    return [
        PlanRow(line, "YP-1", _day(start), None if length is None else _day(start + length),
                sessions, 1, 60, 14)
        for line, (start, length, sessions) in enumerate(specs, start=2)
    ]  # fmt: skip


def _stored(specs: list[tuple[int, int | None, int]]) -> list[PlanState]:
    """Stored plans as an earlier clean import left them (line numbers dropped)."""
    merged, conflicts = merge_plans([], _rows(specs))
    if conflicts:
        return []
    return [
        PlanState(p.start_date, p.end_date, p.sessions, p.every_weeks, p.session_minutes,
                  p.max_gap_days, p.closed_by_import)
        for p in merged.values()
    ]  # fmt: skip


def _overlap(a: PlanState, b: PlanState) -> bool:
    return a.start_date <= (b.end_date or date.max) and b.start_date <= (a.end_date or date.max)


@settings(max_examples=300, deadline=None)
@given(stored=st.lists(_ROW, max_size=4), rows=st.lists(_ROW, max_size=5))
def test_a_clean_merge_leaves_no_overlap_and_keeps_every_row(
    stored: list[tuple[int, int | None, int]], rows: list[tuple[int, int | None, int]]
) -> None:
    before = _stored(stored)
    imported = _rows(rows)
    merged, conflicts = merge_plans(before, imported)
    if conflicts:
        lines = {row.line for row in imported}
        assert all(conflict.line in lines for conflict in conflicts)
        return
    plans = list(merged.values())
    for i, a in enumerate(plans):
        for b in plans[i + 1 :]:
            assert not _overlap(a, b), (a, b)
    for row in imported:
        plan = merged[row.start_date]
        assert plan.sessions == row.sessions
        if row.end_date is not None:
            assert plan.end_date == row.end_date
        elif plan.end_date is not None:
            # Closed the day before a later plan, now or by an earlier import.
            assert plan.closed_by_import
            assert plan.end_date + timedelta(days=1) in merged
    for old in before:
        plan = merged[old.start_date]
        if plan.end_date != old.end_date and plan.line is None:
            assert old.end_date is None and plan.closed_by_import


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(_ROW, max_size=5), keep=st.integers(0, 5))
def test_importing_the_same_rows_again_changes_nothing(
    rows: list[tuple[int, int | None, int]], keep: int
) -> None:
    """All the rows again, or only the first few (an old export): nothing changes."""
    first, conflicts = merge_plans([], _rows(rows))
    if conflicts:
        return
    stored = [
        PlanState(p.start_date, p.end_date, p.sessions, p.every_weeks, p.session_minutes,
                  p.max_gap_days, p.closed_by_import)
        for p in first.values()
    ]  # fmt: skip
    again, conflicts = merge_plans(stored, _rows(rows[:keep]) if keep else _rows(rows))
    assert conflicts == []
    assert {s: (p.end_date, p.sessions, p.closed_by_import) for s, p in again.items()} == {
        s: (p.end_date, p.sessions, p.closed_by_import) for s, p in first.items()
    }

"""SPEC "Import rules": how a new support plan replaces an open-ended one.

A plan whose start falls inside a stored open-ended plan of the same child, or inside
an open-ended row earlier in the same import, ends that plan the day before; importing
the same open-ended row again later does not reopen it. Any other overlap is an error.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from scheduler.db import Database
from scheduler.models import Child, SupportPlan
from tests.factories import (
    dump_tables,
    import_errors,
    make_child,
    make_plan,
    run_import,
    where,
    without_audit,
    write_files,
)

Plan = tuple[str, date, date | None, int, bool]

JAN = "2027-01-04"
MAR = "2027-03-01"
MAY = "2027-05-03"


def _plans(database: Database) -> list[Plan]:
    with database.reading() as s:
        rows = s.execute(
            select(
                Child.ref,
                SupportPlan.start_date,
                SupportPlan.end_date,
                SupportPlan.sessions,
                SupportPlan.closed_by_import,
            )
            .join(Child)
            .order_by(Child.ref, SupportPlan.start_date)
        ).tuples()
        return list(rows)


def _import_plans(database: Database, directory: Path, *rows: dict[str, str]) -> None:
    write_files(directory, plans=list(rows))
    run_import(database, directory)


def _children(database: Database, tmp_path: Path) -> None:
    write_files(tmp_path / "children", children=[make_child(), make_child(ref="YP-0002")])
    run_import(database, tmp_path / "children")


def test_a_plan_starting_inside_a_stored_open_plan_ends_it_the_day_before(
    database: Database, tmp_path: Path
) -> None:
    _children(database, tmp_path)
    _import_plans(database, tmp_path / "1", make_plan(start_date=JAN))
    _import_plans(database, tmp_path / "2", make_plan(start_date=MAR, sessions=2))
    assert _plans(database) == [
        ("YP-0001", date(2027, 1, 4), date(2027, 2, 28), 1, True),
        ("YP-0001", date(2027, 3, 1), None, 2, False),
    ]


def test_open_rows_of_one_import_end_each_other(database: Database, tmp_path: Path) -> None:
    _children(database, tmp_path)
    _import_plans(
        database,
        tmp_path / "1",
        make_plan(start_date=JAN),
        make_plan(child="YP-0002", start_date=JAN),  # another child's plans are apart
        make_plan(start_date=MAR, sessions=2),
        make_plan(start_date=MAY, sessions=3),
    )
    assert _plans(database) == [
        ("YP-0001", date(2027, 1, 4), date(2027, 2, 28), 1, True),
        ("YP-0001", date(2027, 3, 1), date(2027, 5, 2), 2, True),
        ("YP-0001", date(2027, 5, 3), None, 3, False),
        ("YP-0002", date(2027, 1, 4), None, 1, False),
    ]


def test_importing_the_same_open_row_again_does_not_reopen_it(
    database: Database, tmp_path: Path
) -> None:
    _children(database, tmp_path)
    _import_plans(database, tmp_path / "1", make_plan(start_date=JAN))
    _import_plans(database, tmp_path / "2", make_plan(start_date=MAR))
    closed = _plans(database)
    before = dump_tables(database)

    _import_plans(database, tmp_path / "3", make_plan(start_date=JAN))  # the old row alone

    assert _plans(database) == closed
    assert without_audit(dump_tables(database)) == without_audit(before)

    # Both rows again, in either order: still nothing changes.
    _import_plans(database, tmp_path / "4", make_plan(start_date=JAN), make_plan(start_date=MAR))
    _import_plans(database, tmp_path / "5", make_plan(start_date=MAR), make_plan(start_date=JAN))
    assert without_audit(dump_tables(database)) == without_audit(before)


def test_a_closed_plan_imported_with_other_changes_stays_closed(
    database: Database, tmp_path: Path
) -> None:
    _children(database, tmp_path)
    _import_plans(database, tmp_path / "1", make_plan(start_date=JAN), make_plan(start_date=MAR))
    _import_plans(database, tmp_path / "2", make_plan(start_date=JAN, sessions=4))
    assert _plans(database)[0] == ("YP-0001", date(2027, 1, 4), date(2027, 2, 28), 4, True)


def test_an_explicit_end_date_replaces_the_one_the_import_set(
    database: Database, tmp_path: Path
) -> None:
    _children(database, tmp_path)
    _import_plans(database, tmp_path / "1", make_plan(start_date=JAN), make_plan(start_date=MAR))
    _import_plans(database, tmp_path / "2", make_plan(start_date=JAN, end_date="2027-02-14"))
    assert _plans(database)[0] == ("YP-0001", date(2027, 1, 4), date(2027, 2, 14), 1, False)

    # ... but not past the start of the next plan.
    write_files(tmp_path / "3", plans=[make_plan(start_date=JAN, end_date="2027-03-01")])
    errors = import_errors(database, tmp_path / "3")
    assert [where(e) for e in errors] == [("plans.csv", 2, "start_date", JAN)]


def test_a_plan_starting_inside_a_closed_plan_is_an_error(
    database: Database, tmp_path: Path
) -> None:
    _children(database, tmp_path)
    _import_plans(database, tmp_path / "1", make_plan(start_date=JAN, end_date="2027-04-30"))
    write_files(tmp_path / "2", plans=[make_plan(start_date=MAR)])
    errors = import_errors(database, tmp_path / "2")
    assert [where(e) for e in errors] == [("plans.csv", 2, "start_date", MAR)]
    assert "2027-01-04..2027-04-30" in errors[0].message


def test_a_new_closed_plan_inside_an_open_one_that_reaches_a_later_plan(
    database: Database, tmp_path: Path
) -> None:
    _children(database, tmp_path)
    _import_plans(database, tmp_path / "1", make_plan(start_date=JAN), make_plan(start_date=MAY))
    # Starts inside the (now closed) first plan, not an open one: an overlap.
    write_files(tmp_path / "2", plans=[make_plan(start_date=MAR, end_date="2027-06-30")])
    errors = import_errors(database, tmp_path / "2")
    assert [where(e) for e in errors] == [("plans.csv", 2, "start_date", MAR)]


def test_an_earlier_open_row_after_a_later_one_is_an_overlap_on_the_later_line(
    database: Database, tmp_path: Path
) -> None:
    _children(database, tmp_path)
    write_files(tmp_path / "1", plans=[make_plan(start_date=MAR), make_plan(start_date=JAN)])
    errors = import_errors(database, tmp_path / "1")
    assert [where(e) for e in errors] == [("plans.csv", 3, "start_date", JAN)]


def test_a_plan_that_follows_a_closed_one_is_fine(database: Database, tmp_path: Path) -> None:
    _children(database, tmp_path)
    _import_plans(
        database,
        tmp_path / "1",
        make_plan(start_date=JAN, end_date="2027-02-28"),
        make_plan(start_date=MAR),
    )
    assert [p[1:3] for p in _plans(database)] == [
        (date(2027, 1, 4), date(2027, 2, 28)),
        (date(2027, 3, 1), None),
    ]

"""closures.csv (issue #12): upsert by (team, start_date), an empty team meaning every
team; re-import changes nothing; errors name file, line, column and value, all at once,
and nothing is written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from scheduler.db import Database
from scheduler.demo import write_demo
from scheduler.models import Closure
from tests.factories import (
    dump_tables,
    import_errors,
    make_closure,
    make_worker,
    run_import,
    small_team,
    where,
    without_audit,
    write_files,
)

C = "closures.csv"
EVE = "Christmas Eve: offices shut at noon\nno sessions"  # a note may hold line breaks


def _stored(database: Database) -> list[tuple[str | None, date, date, str | None]]:
    with database.reading() as s:
        rows = s.scalars(select(Closure).order_by(Closure.start_date, Closure.team))
        return [(c.team, c.start_date, c.end_date, c.note) for c in rows]


def test_closures_import_and_reimport_changes_nothing(database: Database, tmp_path: Path) -> None:
    run_import(database, small_team(tmp_path / "team"))
    files = write_files(
        tmp_path / "closures",
        closures=[
            make_closure(),
            make_closure(team="", start_date="2026-12-24", end_date="2026-12-24", note=EVE),
            make_closure(start_date="2027-01-18", end_date="2027-01-22", note=""),
        ],
    )  # fmt: skip
    report = run_import(database, files)
    assert vars(report.files[C]) == {"created": 3, "updated": 0, "unchanged": 0}
    assert _stored(database) == [
        ("North CSE", date(2026, 12, 16), date(2026, 12, 16), "team away day"),
        (None, date(2026, 12, 24), date(2026, 12, 24), EVE),
        ("North CSE", date(2027, 1, 18), date(2027, 1, 22), None),
    ]  # fmt: skip

    before = without_audit(dump_tables(database))
    again = run_import(database, files)
    assert vars(again.files[C]) == {"created": 0, "updated": 0, "unchanged": 3}
    assert without_audit(dump_tables(database)) == before

    # the same (team, start_date) updates that closure; the every-team row is its own key
    changed = write_files(
        tmp_path / "changed",
        closures=[make_closure(end_date="2026-12-17", note="two away days")],
    )
    report = run_import(database, changed)
    assert vars(report.files[C]) == {"created": 0, "updated": 1, "unchanged": 0}
    assert _stored(database)[0] == (
        "North CSE", date(2026, 12, 16), date(2026, 12, 17), "two away days"
    )  # fmt: skip


def test_dry_run_writes_nothing(database: Database, tmp_path: Path) -> None:
    run_import(database, small_team(tmp_path / "team"))
    before = dump_tables(database)
    files = write_files(tmp_path / "closures", closures=[make_closure()])
    report = run_import(database, files, dry_run=True)
    assert report.dry_run and vars(report.files[C])["created"] == 1
    assert dump_tables(database) == before


def test_a_team_named_in_the_same_import_is_known(database: Database, tmp_path: Path) -> None:
    files = write_files(
        tmp_path / "new",
        workers=[make_worker(ref="W900", team="South Missing")],
        closures=[make_closure(team="South Missing")],
    )
    run_import(database, files)
    assert [t for t, *_ in _stored(database)] == ["South Missing"]


def test_bad_closures_are_all_reported_and_nothing_is_written(
    database: Database, tmp_path: Path
) -> None:
    run_import(database, small_team(tmp_path / "team"))
    files = write_files(
        tmp_path / "bad",
        closures=[
            make_closure(start_date="2026-12-32"),  # line 2: not a date
            make_closure(start_date="2026-12-20", end_date="2026-12-18"),  # 3: end first
            make_closure(team="north cse", start_date="2027-02-01", end_date="2027-02-01"),
            make_closure(team="Nowhere", start_date="2027-02-02", end_date="2027-02-02"),
            make_closure(start_date="2027-03-01", end_date=""),  # 6: end required
            make_closure(team="", start_date="2027-04-01", end_date="2027-04-01"),
            make_closure(team="", start_date="2027-04-01", end_date="2027-04-02"),  # 8: dup
        ],
    )
    errors = import_errors(database, files)
    assert [where(e) for e in errors] == [
        (C, 2, "start_date", "2026-12-32"),
        (C, 3, "end_date", "2026-12-18"),
        (C, 4, "team", "north cse"),
        (C, 5, "team", "Nowhere"),
        (C, 6, "end_date", ""),
        (C, 8, "start_date", "2027-04-01"),
    ], [str(e) for e in errors]
    messages = {e.line: e.message for e in errors}
    assert "did you mean 'North CSE'?" in messages[4]
    assert "no worker or child is in this team" in messages[5]
    assert "every team already has a closure starting 2027-04-01 on line 7" in messages[8]


def test_an_unknown_column_is_an_error(database: Database, tmp_path: Path) -> None:
    files = write_files(tmp_path / "bad", closures=[{**make_closure(), "reason": "x"}])
    errors = import_errors(database, files)
    assert [(e.file, e.line, e.column) for e in errors] == [(C, 1, "reason")]


def test_the_demo_writes_a_team_day_that_imports(database: Database, tmp_path: Path) -> None:
    files = write_demo(tmp_path / "demo", date(2026, 12, 7))
    assert tmp_path / "demo" / C in files
    run_import(database, tmp_path / "demo")
    assert _stored(database) == [
        ("North CSE", date(2026, 12, 23), date(2026, 12, 23), "team away day")
    ]

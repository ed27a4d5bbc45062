"""Issue #12 part 6: hostile and careless files at the import's edge.

Control characters and line breaks in single-line cells, long initials, a bare quote
(RFC 4180 forbids it), impossible dates: each an error on its file, line and column,
with nothing written. A column a file lacks leaves the stored values as they are;
an empty cell in a column it has clears, and the report counts what it cleared.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.db import Database
from scheduler.models import Absence, Child, SupportPlan, Worker, WorkerWindow
from tests.factories import (
    dump_tables,
    import_errors,
    make_absence,
    make_child,
    make_plan,
    make_worker,
    run_import,
    small_team,
    where,
    write_csv,
    write_files,
)

ESC_RED = "\x1b[31mRed\x1b[0m"
RLO = "A\u202eB"


@pytest.fixture
def stored(database: Database, tmp_path: Path) -> Database:
    run_import(database, small_team(tmp_path / "team"))
    return database


@pytest.mark.parametrize(
    "case",
    [
        ("children.csv", "initials", "A.\nB.", "line break, U+000A (LINE FEED)"),
        ("children.csv", "initials", "A.\r\nZZ,Forged,Row", "line break, U+000D"),
        ("workers.csv", "name", ESC_RED, "control character, U+001B"),
        ("workers.csv", "team", "North\tCSE", "control character, U+0009"),
        ("children.csv", "team", RLO, "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("children.csv", "language", "en\x07", "control character, U+0007"),
        ("workers.csv", "skills", "cse;\x1b[2Jmissing", "control character, U+001B"),
        ("workers.csv", "email", "a\x1b@example.org", "control character, U+001B"),
        ("workers.csv", "gender", "fe\u2028male", "line break, U+2028"),
        ("absences.csv", "kind", "leave\x7f", "control character, U+007F"),
    ],
)
def test_control_characters_and_line_breaks_are_refused(
    database: Database, tmp_path: Path, case: tuple[str, str, str, str]
) -> None:
    file, column, value, says = case
    rows = {
        "workers.csv": [make_worker(**({column: value} if file == "workers.csv" else {}))],
        "children.csv": [make_child(**({column: value} if file == "children.csv" else {}))],
        "absences.csv": [make_absence(**({column: value} if file == "absences.csv" else {}))],
    }
    directory = write_files(
        tmp_path / "in",
        workers=rows["workers.csv"],
        children=rows["children.csv"],
        absences=rows["absences.csv"],
    )
    errors = import_errors(database, directory)
    assert [where(e) for e in errors] == [(file, 2, column, value)]
    assert says in errors[0].message


def test_a_note_may_hold_line_breaks_but_no_other_control_character(
    database: Database, tmp_path: Path
) -> None:
    directory = write_files(
        tmp_path / "ok",
        workers=[make_worker()],
        absences=[make_absence(note="phased return:\r\nmornings only")],
    )
    run_import(database, directory)
    with database.reading() as session:
        assert session.scalar(select(Absence.note)) == "phased return:\r\nmornings only"
    bad = write_files(tmp_path / "bad", absences=[make_absence(note="see \x1b]8;;http://x\x07")])
    errors = import_errors(database, bad)
    assert [where(e)[:3] for e in errors] == [("absences.csv", 2, "note")]


@pytest.mark.parametrize(
    ("initials", "ok"),
    [
        ("A.B.", True),
        ("Zoë-Ann", True),
        ("ABCDEFGHIJ", True),
        ("ABCDEFGHIJK", False),
        ("\U0001f600" * 20, False),  # twenty emoji
        ("A\u00a0B", False),  # not printable
    ],
)
def test_initials_are_a_short_printable_value(
    database: Database, tmp_path: Path, initials: str, ok: bool
) -> None:
    directory = write_files(
        tmp_path / "in", workers=[make_worker()], children=[make_child(initials=initials)]
    )
    if ok:
        run_import(database, directory)
        with database.reading() as session:
            assert session.scalar(select(Child.initials)) == initials
    else:
        errors = import_errors(database, directory)
        assert [where(e) for e in errors] == [("children.csv", 2, "initials", initials)]


def test_a_bare_quote_in_an_unquoted_cell_is_refused(database: Database, tmp_path: Path) -> None:
    directory = tmp_path / "in"
    directory.mkdir()
    (directory / "workers.csv").write_text(
        "ref,name,team,hours_per_week,max_caseload\r\n"
        'W001,"Asha ""Ash"" Patel",North,30,8\r\n'  # doubled inside quotes: fine
        'W002,Tom 5" Reilly,North,30,8\r\n'
        'W003,Grace,"North ""B""",30,8\r\n',
        encoding="utf-8",
    )
    errors = import_errors(database, directory)
    assert [where(e) for e in errors] == [("workers.csv", 3, "name", 'Tom 5" Reilly')]
    assert "put the whole cell in quotes" in errors[0].message


def test_impossible_dates_are_refused(database: Database, tmp_path: Path) -> None:
    directory = write_files(
        tmp_path / "in",
        workers=[make_worker(end_date="9999-12-31")],
        children=[
            make_child(key_worker="W001", key_worker_since="9999-12-31"),
            make_child(ref="YP-0002", key_worker="W001", key_worker_since="2026-11-28"),
        ],
    )
    errors = import_errors(database, directory)  # today is 2026-11-27
    assert [where(e) for e in errors] == [
        ("children.csv", 2, "key_worker_since", "9999-12-31"),
        ("children.csv", 3, "key_worker_since", "2026-11-28"),
        ("workers.csv", 2, "end_date", "9999-12-31"),
    ]
    assert "after today (2026-11-27)" in errors[1].message


# --- a column the file lacks keeps the stored values -------------------------------------


def _excluded(database: Database) -> dict[str, list[str]]:
    with database.reading() as session:
        return dict(session.execute(select(Child.ref, Child.excluded_workers)).tuples().all())


def test_children_without_the_excluded_workers_column_keep_the_exclusions(
    stored: Database, tmp_path: Path
) -> None:
    """Regression: such a file silently cleared six children's exclusions."""
    before = _excluded(stored)
    assert before["YP-0002"] == ["W003"]
    columns = ["ref", "initials", "team", "risk"]
    write_csv(
        tmp_path / "children.csv",
        [make_child(risk="high"), make_child(ref="YP-0002", initials="C.D.", risk="low")],
        columns,
    )
    report = run_import(stored, tmp_path / "children.csv")
    assert _excluded(stored) == before
    assert report.cleared == {}
    assert vars(report.files["children.csv"]) == {"created": 0, "updated": 1, "unchanged": 1}


def test_an_empty_cell_in_a_present_column_clears_and_is_counted(
    stored: Database, tmp_path: Path
) -> None:
    columns = ["ref", "team", "excluded_workers", "risk", "availability"]
    write_csv(
        tmp_path / "children.csv",
        [make_child(risk=""), make_child(ref="YP-0002", excluded_workers="", risk="medium")],
        columns,
    )
    report = run_import(stored, tmp_path / "children.csv")
    assert _excluded(stored)["YP-0002"] == []
    # YP-0001 was high risk: its empty risk cell resets it to the default, medium
    assert report.cleared == {"children.csv": {"excluded_workers": 1, "risk": 1, "availability": 1}}


def test_plans_without_every_weeks_keep_their_period(stored: Database, tmp_path: Path) -> None:
    """Regression: a plans.csv without every_weeks reset every plan to weekly."""
    columns = ["child", "start_date", "sessions", "session_minutes"]
    write_csv(
        tmp_path / "plans.csv",
        [make_plan(), make_plan(child="YP-0003", sessions="2")],
        columns,
    )
    report = run_import(stored, tmp_path / "plans.csv")
    with stored.reading() as session:
        plans = {
            ref: (end, every, gap, sessions)
            for ref, end, every, gap, sessions in session.execute(
                select(
                    Child.ref,
                    SupportPlan.end_date,
                    SupportPlan.every_weeks,
                    SupportPlan.max_gap_days,
                    SupportPlan.sessions,
                ).join(Child, Child.id == SupportPlan.child_id)
            ).tuples()
        }
    assert plans["YP-0003"][1:] == (2, 14, 2)  # fortnightly kept, sessions updated
    assert str(plans["YP-0003"][0]) == "2027-06-30"  # the end date too
    assert report.cleared == {}
    columns = [*columns, "every_weeks"]
    write_csv(tmp_path / "plans.csv", [make_plan(child="YP-0003", every_weeks="")], columns)
    report = run_import(stored, tmp_path / "plans.csv")
    assert report.cleared == {"plans.csv": {"every_weeks": 1}}


def test_workers_without_availability_or_email_keep_them(stored: Database, tmp_path: Path) -> None:
    with stored.reading() as session:
        windows = session.execute(select(WorkerWindow.id).order_by(WorkerWindow.id)).scalars().all()
        emails = (
            session.execute(select(Worker.ref, Worker.email).order_by(Worker.ref)).tuples().all()
        )
    columns = ["ref", "name", "team", "hours_per_week", "max_caseload"]
    write_csv(tmp_path / "workers.csv", [make_worker(hours_per_week="25")], columns)
    report = run_import(stored, tmp_path / "workers.csv")
    with stored.reading() as session:
        assert (
            session.execute(select(WorkerWindow.id).order_by(WorkerWindow.id)).scalars().all()
            == windows
        )
        assert (
            session.execute(select(Worker.ref, Worker.email).order_by(Worker.ref)).tuples().all()
            == emails
        )
        assert session.scalar(select(Worker.hours_per_week).where(Worker.ref == "W001")) == 25
    assert vars(report.files["workers.csv"])["updated"] == 1


def test_absences_without_kind_or_note_keep_them(stored: Database, tmp_path: Path) -> None:
    columns = ["worker", "start_date", "end_date"]
    before = dump_tables(stored)["absences"]
    write_csv(
        tmp_path / "absences.csv",
        [make_absence(worker="W002", start_date="2026-12-21", end_date="2026-12-21")],
        columns,
    )
    report = run_import(stored, tmp_path / "absences.csv")
    assert dump_tables(stored)["absences"] == before
    assert vars(report.files["absences.csv"]) == {"created": 0, "updated": 0, "unchanged": 1}


def test_an_import_as_of_a_later_day_takes_that_day_as_today(
    database: Database, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from scheduler.csv_import import import_files
    from tests.factories import NOW, TIMEZONE, small_team

    directory = small_team(tmp_path / "in")
    write_files(
        directory,
        children=[make_child(key_worker="W001", key_worker_since="2027-01-04")],
        plans=[make_plan()],
    )
    # a relationship that begins after today is refused ...
    assert [where(e)[2] for e in import_errors(database, directory)] == ["key_worker_since"]
    # ... but an import as of a later day (--as-of, as for plan) takes that day as today
    later = datetime(2027, 3, 17, 12, 0, tzinfo=UTC)
    report = import_files(
        database, [directory], actor="tester", now=NOW, timezone=TIMEZONE, as_of=later
    )
    assert report.files["children.csv"].created == 1

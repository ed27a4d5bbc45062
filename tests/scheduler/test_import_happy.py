"""SPEC "Input files (CSV)" and "Import rules": valid files import, and re-import is a no-op."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from scheduler.db import Database
from scheduler.models import (
    Absence,
    AuditEntry,
    Child,
    ChildWindow,
    KeyWorkerHistory,
    SupportPlan,
    Worker,
    WorkerWindow,
)
from tests.factories import (
    counts,
    dump_tables,
    import_errors,
    make_absence,
    make_child,
    make_plan,
    make_worker,
    run_import,
    small_team,
    where,
    without_audit,
    write_csv,
    write_files,
)


def test_small_team_imports_every_file(database: Database, tmp_path: Path) -> None:
    report = run_import(database, small_team(tmp_path))

    assert {name: vars(c) for name, c in report.files.items()} == {
        "workers.csv": {"created": 3, "updated": 0, "unchanged": 0},
        "children.csv": {"created": 3, "updated": 0, "unchanged": 0},
        "plans.csv": {"created": 3, "updated": 0, "unchanged": 0},
        "absences.csv": {"created": 2, "updated": 0, "unchanged": 0},
    }
    assert report.notes == []
    assert counts(dump_tables(database)) == {
        "workers": 3,
        "children": 3,
        "worker_windows": 2 + 2 + 5,  # W003 has no availability: Mon-Fri 09:00-17:00
        "child_windows": 1,
        "absences": 2,
        "support_plans": 3,
        "key_worker_history": 2,
        "audit_log": 1,
    }
    with database.reading() as s:
        w1 = s.scalars(select(Worker).where(Worker.ref == "W001")).one()
        assert (w1.name, w1.team, w1.hours_per_week, w1.max_caseload) == (
            "Asha Patel",
            "North CSE",
            30.0,
            8,
        )
        assert (w1.skills, w1.languages, w1.gender) == (["cse", "missing"], ["en", "ur"], "female")
        assert (w1.lat, w1.lon, w1.start_date, w1.end_date) == (
            53.8,
            -1.55,
            date(2020, 1, 6),
            None,
        )
        assert [(x.weekday, x.start_minute, x.end_minute) for x in w1.windows] == [
            (0, 540, 1020),
            (1, 720, 1200),
        ]
        w2 = s.scalars(select(Worker).where(Worker.ref == "W002")).one()
        assert w2.email is None  # empty cell = not given
        w3 = s.scalars(select(Worker).where(Worker.ref == "W003")).one()
        assert [(x.weekday, x.start_minute, x.end_minute) for x in w3.windows] == [
            (day, 540, 1020) for day in range(5)
        ]
        assert (w3.lat, w3.lon, w3.end_date) == (None, None, date(2027, 3, 31))

        c2 = s.scalars(select(Child).where(Child.ref == "YP-0002")).one()
        assert (c2.preferred_workers, c2.excluded_workers, c2.risk) == (
            ["W002"],
            ["W003"],
            "medium",
        )
        assert [(x.weekday, x.start_minute, x.end_minute) for x in c2.windows] == [(0, 960, 1140)]
        c3 = s.scalars(select(Child).where(Child.ref == "YP-0003")).one()
        assert c3.initials is None and c3.windows == []  # default: the ref, any time

        plans = {
            (p.child.ref, p.start_date): (
                p.end_date,
                p.sessions,
                p.every_weeks,
                p.session_minutes,
                p.max_gap_days,
            )
            for p in s.scalars(select(SupportPlan))
        }
        assert plans == {
            ("YP-0001", date(2026, 9, 7)): (None, 1, 1, 60, 14),
            ("YP-0002", date(2026, 9, 7)): (None, 2, 1, 90, 14),  # max_gap_days default 14
            ("YP-0003", date(2026, 9, 7)): (date(2027, 6, 30), 1, 2, 60, 14),
        }
        absences = {
            (a.worker.ref, a.start_date): (a.end_date, a.kind, a.note)
            for a in s.scalars(select(Absence))
        }
        assert absences == {
            ("W001", date(2026, 12, 7)): (date(2026, 12, 11), "leave", None),
            ("W002", date(2026, 12, 21)): (date(2026, 12, 21), "training", "first aid, all day"),
        }
        entry = s.scalars(select(AuditEntry)).one()
        assert (entry.actor, entry.action) == ("tester", "import")


def test_reimport_of_the_same_files_changes_nothing(database: Database, tmp_path: Path) -> None:
    directory = small_team(tmp_path)
    run_import(database, directory)
    before = dump_tables(database)

    report = run_import(database, directory)

    assert {name: vars(c) for name, c in report.files.items()} == {
        "workers.csv": {"created": 0, "updated": 0, "unchanged": 3},
        "children.csv": {"created": 0, "updated": 0, "unchanged": 3},
        "plans.csv": {"created": 0, "updated": 0, "unchanged": 3},
        "absences.csv": {"created": 0, "updated": 0, "unchanged": 2},
    }
    after = dump_tables(database)
    assert without_audit(after) == without_audit(before)
    # The import itself is still recorded: who imported what, when.
    assert after["audit_log"][: len(before["audit_log"])] == before["audit_log"]
    assert len(after["audit_log"]) == len(before["audit_log"]) + 1


def test_upsert_updates_changed_fields_only(database: Database, tmp_path: Path) -> None:
    run_import(database, small_team(tmp_path / "first"))
    changed = write_files(
        tmp_path / "second",
        workers=[make_worker(name="Asha Patel-Khan", hours_per_week="22.5",
                             availability="Wed 10:00-14:00")],
        children=[make_child(ref="YP-0002", initials="C.D.", preferred_workers="W002",
                             excluded_workers="W003", risk="high",
                             availability="Tue 16:00-18:00;Sat 10:00-12:00")],
        plans=[make_plan(sessions=3), make_plan(child="YP-0001", start_date="2027-01-04",
                                                 end_date="2027-02-28")],
        absences=[make_absence(end_date="2026-12-18", kind="sickness", note="flu")],
    )  # fmt: skip

    report = run_import(database, changed)

    assert {name: vars(c) for name, c in report.files.items()} == {
        "workers.csv": {"created": 0, "updated": 1, "unchanged": 0},
        "children.csv": {"created": 0, "updated": 1, "unchanged": 0},
        "plans.csv": {"created": 1, "updated": 1, "unchanged": 0},
        "absences.csv": {"created": 0, "updated": 1, "unchanged": 0},
    }
    with database.reading() as s:
        w1 = s.scalars(select(Worker).where(Worker.ref == "W001")).one()
        assert (w1.name, w1.hours_per_week, w1.email) == (
            "Asha Patel-Khan",
            22.5,
            "asha.patel@example.org",
        )
        assert [(x.weekday, x.start_minute, x.end_minute) for x in w1.windows] == [(2, 600, 840)]
        c2 = s.scalars(select(Child).where(Child.ref == "YP-0002")).one()
        assert c2.risk == "high"
        assert [(x.weekday, x.start_minute, x.end_minute) for x in c2.windows] == [
            (1, 960, 1080),
            (5, 600, 720),
        ]
        plans = s.execute(
            select(SupportPlan.start_date, SupportPlan.end_date, SupportPlan.sessions)
            .join(Child)
            .where(Child.ref == "YP-0001")
            .order_by(SupportPlan.start_date)
        ).all()
        # The open-ended plan now ends the day before the new one starts.
        assert [tuple(p) for p in plans] == [
            (date(2026, 9, 7), date(2027, 1, 3), 3),
            (date(2027, 1, 4), date(2027, 2, 28), 1),
        ]
        absence = s.scalars(select(Absence).where(Absence.start_date == date(2026, 12, 7))).one()
        assert (absence.end_date, absence.kind, absence.note) == (
            date(2026, 12, 18),
            "sickness",
            "flu",
        )
        # Workers and children not in the files are kept (upsert, not replace).
        assert s.scalars(select(Worker.ref).order_by(Worker.ref)).all() == ["W001", "W002", "W003"]


def test_byte_order_mark_is_accepted(database: Database, tmp_path: Path) -> None:
    write_csv(tmp_path / "workers.csv", [make_worker()], bom=True)
    report = run_import(database, tmp_path / "workers.csv")
    assert report.files["workers.csv"].created == 1
    with database.reading() as s:
        assert s.scalars(select(Worker.ref)).all() == ["W001"]


def test_quoted_cells_keep_commas_and_newlines(database: Database, tmp_path: Path) -> None:
    write_files(
        tmp_path,
        workers=[make_worker(name='Patel, Asha "Ash"')],
        absences=[
            make_absence(note="line one,\nline two"),
            make_absence(start_date="2027-01-04", end_date="2027-01-05", note="a\r\nb"),
        ],
    )
    run_import(database, tmp_path)
    with database.reading() as s:
        assert s.scalars(select(Worker.name)).one() == 'Patel, Asha "Ash"'
        notes = s.scalars(select(Absence.note).order_by(Absence.start_date)).all()
        assert notes == ["line one,\nline two", "a\r\nb"]


def test_line_numbers_are_physical_after_a_multi_line_cell(
    database: Database, tmp_path: Path
) -> None:
    write_files(
        tmp_path,
        workers=[make_worker()],
        absences=[
            make_absence(note="one\ntwo\nthree"),  # lines 2-4
            make_absence(start_date="2027-01-04", end_date="2027-01-05"),  # line 5
            make_absence(start_date="2027-02-01", end_date="2027-01-31", note="x\ny"),  # 6-7
            make_absence(start_date="2027-03-01", end_date="2027-03-02", kind="holiday"),  # 8
        ],
    )
    errors = import_errors(database, tmp_path)
    assert [where(e) for e in errors] == [
        ("absences.csv", 6, "end_date", "2027-01-31"),
        ("absences.csv", 8, "kind", "holiday"),
    ]


def test_column_order_is_free(database: Database, tmp_path: Path) -> None:
    worker = make_worker()
    child = make_child(key_worker="W001")
    write_csv(tmp_path / "workers.csv", [worker], list(reversed(worker)))
    write_csv(tmp_path / "children.csv", [child], sorted(child))
    write_csv(tmp_path / "plans.csv", [make_plan()], ["session_minutes", "sessions", "start_date",
                                                      "child"])  # fmt: skip
    run_import(database, tmp_path)
    with database.reading() as s:
        w1 = s.scalars(select(Worker)).one()
        assert (w1.ref, w1.name, w1.hours_per_week) == ("W001", "Asha Patel", 30.0)
        c1 = s.scalars(select(Child)).one()
        assert (c1.ref, c1.initials, c1.case_key_worker) == ("YP-0001", "A.B.", "W001")
        plan = s.scalars(select(SupportPlan)).one()
        assert (plan.sessions, plan.every_weeks, plan.max_gap_days) == (1, 1, 14)


def test_skills_languages_and_gender_are_stored_lower_case(
    database: Database, tmp_path: Path
) -> None:
    write_files(
        tmp_path,
        workers=[make_worker(skills="CSE; Missing ;cse", languages="EN;Ur", gender="Female",
                             availability="mon 09:00-12:00;MON 11:00-13:00")],
        children=[make_child(required_skills="Missing", language="UR", preferred_gender="FEMALE",
                             risk="High")],
    )  # fmt: skip
    run_import(database, tmp_path)
    with database.reading() as s:
        w1 = s.scalars(select(Worker)).one()
        assert (w1.skills, w1.languages, w1.gender) == (["cse", "missing"], ["en", "ur"], "female")
        # Overlapping windows of one day are joined.
        assert s.execute(
            select(WorkerWindow.weekday, WorkerWindow.start_minute, WorkerWindow.end_minute)
        ).tuples().all() == [(0, 540, 780)]
        c1 = s.scalars(select(Child)).one()
        assert (c1.required_skills, c1.language, c1.preferred_gender, c1.risk) == (
            ["missing"],
            "ur",
            "female",
            "high",
        )
        assert s.scalars(select(ChildWindow)).all() == []


def test_header_only_files_import_nothing(database: Database, tmp_path: Path) -> None:
    write_files(tmp_path, workers=[], children=[], plans=[], absences=[])
    before = dump_tables(database)
    report = run_import(database, tmp_path)
    assert all(vars(c) == {"created": 0, "updated": 0, "unchanged": 0}
               for c in report.files.values())  # fmt: skip
    assert without_audit(dump_tables(database)) == without_audit(before)


def test_blank_lines_and_crlf_are_accepted(database: Database, tmp_path: Path) -> None:
    text = "ref,name,team,hours_per_week,max_caseload\r\n\r\nW001,A,T,10,1\r\nW002,B,T,10,1\r\n"
    (tmp_path / "workers.csv").write_bytes(text.encode())
    report = run_import(database, tmp_path)
    assert report.files["workers.csv"].created == 2


def test_dry_run_validates_without_writing(database: Database, tmp_path: Path) -> None:
    before = dump_tables(database)
    report = run_import(database, small_team(tmp_path), dry_run=True)
    assert report.dry_run and report.files["workers.csv"].created == 3
    assert dump_tables(database) == before
    with database.reading() as s:
        assert s.scalars(select(KeyWorkerHistory)).all() == []

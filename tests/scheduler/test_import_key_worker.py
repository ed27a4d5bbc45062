"""SPEC "Import rules": children.csv's ``key_worker`` is what the case record says.

It changes the current key worker only when it differs from the value imported last
time; then it wins over the plan and the change is audited. A pin wins over it, and the
import says so.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from scheduler.csv_import import import_files
from scheduler.db import Database
from scheduler.models import AuditEntry, Child, KeyWorkerHistory, Worker
from tests.factories import (
    NOW,
    TODAY,
    dump_tables,
    import_errors,
    make_child,
    make_worker,
    run_import,
    where,
    without_audit,
    write_files,
)

LATER = NOW + timedelta(days=10)
LATER_DAY = TODAY + timedelta(days=10)

History = tuple[str, str, date, date | None, str | None, str]


def _team(directory: Path, **child: object) -> Path:
    return write_files(
        directory,
        workers=[make_worker(), make_worker(ref="W002"), make_worker(ref="W003")],
        children=[make_child(**child)],
    )


def _history(database: Database) -> list[History]:
    with database.reading() as s:
        rows = s.execute(
            select(
                Worker.ref,
                KeyWorkerHistory.role,
                KeyWorkerHistory.start_date,
                KeyWorkerHistory.end_date,
                KeyWorkerHistory.reason,
                KeyWorkerHistory.source,
            )
            .join(Worker, KeyWorkerHistory.worker_id == Worker.id)
            .order_by(KeyWorkerHistory.start_date, KeyWorkerHistory.id)
        ).tuples()
        return list(rows)


def _key_worker_audit(database: Database) -> list[dict[str, object]]:
    with database.reading() as s:
        details = s.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.action == "import.key_worker")
            .order_by(AuditEntry.id)
        ).all()
    return [json.loads(d) for d in details]


def test_first_import_sets_the_relationship_since_key_worker_since(
    database: Database, tmp_path: Path
) -> None:
    run_import(database, _team(tmp_path, key_worker="W001", key_worker_since="2025-06-02"))
    assert _history(database) == [("W001", "key", date(2025, 6, 2), None, None, "import")]
    assert _key_worker_audit(database) == []  # a first key worker is not a change


def test_first_import_without_since_starts_today(database: Database, tmp_path: Path) -> None:
    run_import(database, _team(tmp_path, key_worker="W001"))
    assert _history(database) == [("W001", "key", TODAY, None, None, "import")]


def test_no_key_worker_sets_nothing(database: Database, tmp_path: Path) -> None:
    run_import(database, _team(tmp_path))
    assert _history(database) == []


def test_reimport_of_the_same_value_changes_nothing(database: Database, tmp_path: Path) -> None:
    directory = _team(tmp_path, key_worker="W001", key_worker_since="2025-06-02")
    run_import(database, directory)
    before = dump_tables(database)
    report = run_import(database, directory, now=LATER)
    assert report.files["children.csv"].unchanged == 1
    assert without_audit(dump_tables(database)) == without_audit(before)


def test_changed_value_ends_the_old_relationship_yesterday(
    database: Database, tmp_path: Path
) -> None:
    run_import(database, _team(tmp_path / "1", key_worker="W001", key_worker_since="2025-06-02"))

    report = run_import(
        database, _team(tmp_path / "2", key_worker="W002", key_worker_since="2026-12-01"), now=LATER
    )

    assert report.files["children.csv"].updated == 1
    assert _history(database) == [
        ("W001", "key", date(2025, 6, 2), LATER_DAY - timedelta(days=1), None, "import"),
        ("W002", "key", LATER_DAY, None, "changed in the case record", "import"),
    ]
    assert _key_worker_audit(database) == [
        {
            "child": "YP-0001",
            "old": "W001",
            "new": "W002",
            "reason": "changed in the case record",
        }
    ]
    with database.reading() as s:
        child = s.scalars(select(Child)).one()
        assert child.case_key_worker == "W002"


def test_a_change_the_same_day_as_the_first_import_replaces_it(
    database: Database, tmp_path: Path
) -> None:
    run_import(database, _team(tmp_path / "1", key_worker="W001"))
    run_import(database, _team(tmp_path / "2", key_worker="W002"))
    # The relationship with W001 had not lasted a day: nothing of it is kept.
    assert _history(database) == [
        ("W002", "key", TODAY, None, "changed in the case record", "import")
    ]


def test_reimporting_an_old_export_never_undoes_a_change_made_otherwise(
    database: Database, tmp_path: Path
) -> None:
    old_export = _team(tmp_path / "old", key_worker="W001", key_worker_since="2025-06-02")
    run_import(database, old_export)
    # A committed plan moved the child to W003 (W001 went part-time, say).
    with database.transaction() as s:
        ids = dict(s.execute(select(Worker.ref, Worker.id)).tuples().all())
        child_id = s.scalars(select(Child.id)).one()
        s.execute(
            update(KeyWorkerHistory)
            .where(KeyWorkerHistory.end_date.is_(None))
            .values(end_date=TODAY + timedelta(days=2))
        )
        s.add(
            KeyWorkerHistory(
                child_id=child_id,
                worker_id=ids["W003"],
                role="key",
                start_date=TODAY + timedelta(days=3),
                end_date=None,
                reason="W001 at caseload limit",
                source="plan",
                recorded_at=NOW,
            )
        )
    before = dump_tables(database)

    report = run_import(database, old_export, now=LATER)

    assert report.files["children.csv"].unchanged == 1
    assert without_audit(dump_tables(database)) == without_audit(before)
    assert _history(database)[-1] == ("W003", "key", TODAY + timedelta(days=3), None,
                                      "W001 at caseload limit", "plan")  # fmt: skip

    # A new export naming someone else does change it, from today.
    run_import(database, _team(tmp_path / "new", key_worker="W002"), now=LATER)
    assert _history(database)[-2:] == [
        ("W003", "key", TODAY + timedelta(days=3), LATER_DAY - timedelta(days=1),
         "W001 at caseload limit", "plan"),
        ("W002", "key", LATER_DAY, None, "changed in the case record", "import"),
    ]  # fmt: skip
    assert _key_worker_audit(database)[-1]["old"] == "W003"


def test_a_change_drops_a_relationship_that_had_not_begun(
    database: Database, tmp_path: Path
) -> None:
    run_import(database, _team(tmp_path / "1", key_worker="W001", key_worker_since="2025-06-02"))
    with database.transaction() as s:
        ids = dict(s.execute(select(Worker.ref, Worker.id)).tuples().all())
        s.execute(update(KeyWorkerHistory).values(end_date=LATER_DAY + timedelta(days=5)))
        s.add(
            KeyWorkerHistory(
                child_id=s.scalars(select(Child.id)).one(),
                worker_id=ids["W003"],
                role="key",
                start_date=LATER_DAY + timedelta(days=6),
                end_date=None,
                reason="W001 leaves",
                source="plan",
                recorded_at=NOW,
            )
        )
    run_import(database, _team(tmp_path / "2", key_worker="W002"), now=LATER)
    assert _history(database) == [
        ("W001", "key", date(2025, 6, 2), LATER_DAY - timedelta(days=1), None, "import"),
        ("W002", "key", LATER_DAY, None, "changed in the case record", "import"),
    ]


def test_a_pinned_child_keeps_the_pin_and_the_import_says_so(
    database: Database, tmp_path: Path
) -> None:
    run_import(database, _team(tmp_path / "1", key_worker="W001", key_worker_since="2025-06-02"))
    with database.transaction() as s:
        w1 = s.scalars(select(Worker.id).where(Worker.ref == "W001")).one()
        s.execute(update(Child).values(pinned_worker_id=w1))
    changed = _team(tmp_path / "2", key_worker="W002")

    report = run_import(database, changed, now=LATER)

    assert len(report.notes) == 1
    note = report.notes[0]
    assert note.startswith("children.csv:2:")
    assert "W002" in note and "pinned to W001" in note and "YP-0001" in note
    assert _history(database) == [("W001", "key", date(2025, 6, 2), None, None, "import")]
    with database.reading() as s:
        child = s.scalars(select(Child)).one()
        assert child.pinned_worker_id == w1
    assert _key_worker_audit(database) == []

    # While the pin holds, every import says so again; once unpinned, the next one applies.
    assert len(run_import(database, changed, now=LATER).notes) == 1
    with database.transaction() as s:
        s.execute(update(Child).values(pinned_worker_id=None))
    assert run_import(database, changed, now=LATER).notes == []
    assert _history(database)[-1] == ("W002", "key", LATER_DAY, None,
                                      "changed in the case record", "import")  # fmt: skip


def test_pinned_to_the_named_worker_is_no_conflict(database: Database, tmp_path: Path) -> None:
    run_import(database, _team(tmp_path / "1", key_worker="W001"))
    with database.transaction() as s:
        w2 = s.scalars(select(Worker.id).where(Worker.ref == "W002")).one()
        s.execute(update(Child).values(pinned_worker_id=w2))
    report = run_import(database, _team(tmp_path / "2", key_worker="W002"), now=LATER)
    assert report.notes == []
    assert _history(database)[-1][:2] == ("W002", "key")


def test_a_key_worker_named_in_the_same_import_as_its_worker(
    database: Database, tmp_path: Path
) -> None:
    run_import(database, _team(tmp_path / "1"))
    write_files(tmp_path / "2", workers=[make_worker(ref="W010")],
                children=[make_child(key_worker="W010")])  # fmt: skip
    run_import(database, tmp_path / "2", now=LATER)
    assert _history(database) == [("W010", "key", LATER_DAY, None, None, "import")]


def test_an_empty_key_worker_cell_keeps_the_value_imported_last_time(
    database: Database, tmp_path: Path
) -> None:
    """regression: a blank cell forgot the last imported value, so re-importing an old
    export after it undid the plan's change."""
    old_export = _team(tmp_path / "old", key_worker="W001", key_worker_since="2025-06-02")
    run_import(database, old_export)
    before = dump_tables(database)
    report = run_import(database, _team(tmp_path / "blank"), now=LATER)
    assert report.files["children.csv"].unchanged == 1
    assert without_audit(dump_tables(database)) == without_audit(before)

    with database.transaction() as s:
        w3 = s.scalars(select(Worker.id).where(Worker.ref == "W003")).one()
        s.execute(update(KeyWorkerHistory).values(end_date=TODAY))
        s.add(
            KeyWorkerHistory(
                child_id=s.scalars(select(Child.id)).one(),
                worker_id=w3,
                role="key",
                start_date=TODAY + timedelta(days=1),
                end_date=None,
                reason="W001 at caseload limit",
                source="plan",
                recorded_at=NOW,
            )
        )
    run_import(database, old_export, now=LATER)
    assert _history(database)[-1][:2] == ("W003", "key")


def test_today_is_the_date_in_the_configured_time_zone(database: Database, tmp_path: Path) -> None:
    run_import(database, _team(tmp_path / "1", key_worker="W001", key_worker_since="2025-06-02"))
    late = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # already 8 December in Auckland
    import_files(
        database,
        [_team(tmp_path / "2", key_worker="W002")],
        actor="tester",
        now=late,
        timezone="Pacific/Auckland",
    )
    assert _history(database) == [
        ("W001", "key", date(2025, 6, 2), date(2026, 12, 7), None, "import"),
        ("W002", "key", date(2026, 12, 8), None, "changed in the case record", "import"),
    ]


def test_the_secondary_worker_named_key_worker_stops_being_secondary(
    database: Database, tmp_path: Path
) -> None:
    run_import(database, _team(tmp_path / "1", key_worker="W001", key_worker_since="2025-06-02"))
    with database.transaction() as s:
        w2 = s.scalars(select(Worker.id).where(Worker.ref == "W002")).one()
        s.add(
            KeyWorkerHistory(
                child_id=s.scalars(select(Child.id)).one(),
                worker_id=w2,
                role="secondary",
                start_date=date(2026, 1, 5),
                end_date=None,
                reason=None,
                source="plan",
                recorded_at=NOW,
            )
        )
    run_import(database, _team(tmp_path / "2", key_worker="W002"), now=LATER)
    assert _history(database) == [
        ("W001", "key", date(2025, 6, 2), LATER_DAY - timedelta(days=1), None, "import"),
        ("W002", "secondary", date(2026, 1, 5), LATER_DAY - timedelta(days=1), None, "plan"),
        ("W002", "key", LATER_DAY, None, "changed in the case record", "import"),
    ]


def test_many_changes_at_once(database: Database, tmp_path: Path) -> None:
    """Over 500 changed children take the other lookup path; the outcome is the same."""
    workers = [make_worker(), make_worker(ref="W002")]
    refs = [f"YP-{i:04d}" for i in range(600)]
    write_files(tmp_path / "1", workers=workers,
                children=[make_child(ref=ref, key_worker="W001") for ref in refs])  # fmt: skip
    write_files(tmp_path / "2", workers=workers,
                children=[make_child(ref=ref, key_worker="W002") for ref in refs])  # fmt: skip
    run_import(database, tmp_path / "1")
    run_import(database, tmp_path / "2", now=LATER)
    history = _history(database)
    assert len(history) == 1200
    assert set(history) == {
        ("W001", "key", TODAY, LATER_DAY - timedelta(days=1), None, "import"),
        ("W002", "key", LATER_DAY, None, "changed in the case record", "import"),
    }
    assert len(_key_worker_audit(database)) == 600


def _excluded_audit(database: Database) -> list[dict[str, object]]:
    with database.reading() as s:
        details = s.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.action == "import.key_worker_excluded")
            .order_by(AuditEntry.id)
        ).all()
    return [json.loads(d) for d in details]


def test_defect1_key_worker_in_excluded_workers_is_imported_and_audited(
    database: Database, tmp_path: Path
) -> None:
    """Issue 11 defect 1: the row was refused (exit 2); it is the child asking to change."""
    report = run_import(
        database,
        _team(tmp_path, key_worker="W001", key_worker_since="2025-06-02", excluded_workers="W001"),
    )

    assert report.files["children.csv"].created == 1
    assert report.notes == [
        "children.csv:2: YP-0001 excludes their key worker W001; the next plan gives "
        "YP-0001 another key worker"
    ]
    assert _excluded_audit(database) == [
        {"child": "YP-0001", "worker": "W001", "reason": "excluded"}
    ]
    # The case record stands as imported; the plan, not the import, makes the change.
    assert _history(database) == [("W001", "key", date(2025, 6, 2), None, None, "import")]
    with database.reading() as s:
        assert s.scalars(select(Child.excluded_workers)).one() == ["W001"]


def test_defect1_an_exclusion_added_later_is_audited_once(
    database: Database, tmp_path: Path
) -> None:
    run_import(database, _team(tmp_path / "1", key_worker="W001", key_worker_since="2025-06-02"))
    # Excluding someone who is not the key worker is an ordinary update: nothing to say.
    other = run_import(database, _team(tmp_path / "2", key_worker="W001", excluded_workers="W003"))
    assert other.notes == [] and _excluded_audit(database) == []

    added = _team(tmp_path / "3", key_worker="W001", excluded_workers="W003;W001")
    report = run_import(database, added, now=LATER)
    assert report.files["children.csv"].updated == 1
    assert len(report.notes) == 1 and "excludes their key worker W001" in report.notes[0]
    assert _excluded_audit(database) == [
        {"child": "YP-0001", "worker": "W001", "reason": "excluded"}
    ]
    before = dump_tables(database)
    assert run_import(database, added, now=LATER).notes == []  # the same file again
    assert without_audit(dump_tables(database)) == without_audit(before)
    assert len(_excluded_audit(database)) == 1


def test_defect1_preferred_and_excluded_at_once_is_still_an_error(
    database: Database, tmp_path: Path
) -> None:
    """Wanting and refusing the same worker is a contradiction, not a wish."""
    errors = import_errors(
        database,
        _team(tmp_path, key_worker="W001", preferred_workers="W002", excluded_workers="W001;W002"),
    )
    assert [where(e) for e in errors] == [("children.csv", 2, "preferred_workers", "W002")]

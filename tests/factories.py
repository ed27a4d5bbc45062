"""Builders for the four input CSV files, and a dump of every table for before/after checks.

``make_worker(ref="W002", skills="BSL")`` gives one row as the manager's file would hold
it (every value text, ``""`` = not given); ``write_files(tmp_path, workers=[...], ...)``
writes the files that are given and returns the directory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.csv_import import ImportReport, import_files
from scheduler.db import Database
from scheduler.errors import ImportFailed, InputError
from scheduler.models import Base

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)  # NOW in Europe/London
TIMEZONE = "Europe/London"

Row = dict[str, str]

WORKER_DEFAULTS: Row = {
    "ref": "W001",
    "name": "Asha Patel",
    "email": "asha.patel@example.org",
    "team": "North CSE",
    "hours_per_week": "30",
    "max_caseload": "8",
    "skills": "cse;missing",
    "languages": "en;ur",
    "gender": "female",
    "availability": "Mon 09:00-17:00;Tue 12:00-20:00",
    "lat": "53.8000",
    "lon": "-1.5500",
    "start_date": "2020-01-06",
    "end_date": "",
}
CHILD_DEFAULTS: Row = {
    "ref": "YP-0001",
    "initials": "A.B.",
    "team": "North CSE",
    "required_skills": "cse",
    "language": "en",
    "preferred_gender": "",
    "preferred_workers": "",
    "excluded_workers": "",
    "availability": "",
    "lat": "53.8100",
    "lon": "-1.5600",
    "risk": "medium",
    "key_worker": "",
    "key_worker_since": "",
}
PLAN_DEFAULTS: Row = {
    "child": "YP-0001",
    "start_date": "2026-09-07",
    "end_date": "",
    "sessions": "1",
    "every_weeks": "1",
    "session_minutes": "60",
    "max_gap_days": "14",
}
ABSENCE_DEFAULTS: Row = {
    "worker": "W001",
    "start_date": "2026-12-07",
    "end_date": "2026-12-11",
    "kind": "leave",
    "note": "",
}

CLOSURE_DEFAULTS: Row = {
    "team": "North CSE",
    "start_date": "2026-12-16",
    "end_date": "2026-12-16",
    "note": "team away day",
}


def _row(defaults: Row, overrides: Mapping[str, object]) -> Row:
    row = dict(defaults)
    for key, value in overrides.items():
        row[key] = "" if value is None else str(value)
    return row


def make_worker(**overrides: object) -> Row:
    return _row(WORKER_DEFAULTS, overrides)


def make_child(**overrides: object) -> Row:
    return _row(CHILD_DEFAULTS, overrides)


def make_plan(**overrides: object) -> Row:
    return _row(PLAN_DEFAULTS, overrides)


def make_absence(**overrides: object) -> Row:
    return _row(ABSENCE_DEFAULTS, overrides)


def make_closure(**overrides: object) -> Row:
    return _row(CLOSURE_DEFAULTS, overrides)


def csv_text(rows: Sequence[Mapping[str, str]], columns: Sequence[str] | None = None) -> str:
    """RFC 4180 text with a header; ``columns`` picks and orders them (default: the first
    row's keys)."""
    if columns is None:
        columns = list(rows[0]) if rows else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; quotes a lone CR too
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


def write_csv(
    path: Path,
    rows: Sequence[Mapping[str, str]],
    columns: Sequence[str] | None = None,
    *,
    bom: bool = False,
) -> Path:
    data = csv_text(rows, columns).encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_files(
    directory: Path,
    *,
    workers: Sequence[Mapping[str, str]] | None = None,
    children: Sequence[Mapping[str, str]] | None = None,
    plans: Sequence[Mapping[str, str]] | None = None,
    absences: Sequence[Mapping[str, str]] | None = None,
    closures: Sequence[Mapping[str, str]] | None = None,
) -> Path:
    """Write the files that are given (an empty list writes a header-only file)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows, defaults in (
        ("workers.csv", workers, WORKER_DEFAULTS),
        ("children.csv", children, CHILD_DEFAULTS),
        ("plans.csv", plans, PLAN_DEFAULTS),
        ("absences.csv", absences, ABSENCE_DEFAULTS),
        ("closures.csv", closures, CLOSURE_DEFAULTS),
    ):
        if rows is not None:
            write_csv(directory / name, rows, list(rows[0]) if rows else list(defaults))
    return directory


def small_team(directory: Path) -> Path:
    """A valid set of all four files: three workers, three children, plans, absences."""
    return write_files(
        directory,
        workers=[
            make_worker(),
            make_worker(ref="W002", name="Tom Reilly", gender="male", skills="cse;substance",
                        languages="en", email=""),
            make_worker(ref="W003", name="Grace Okafor", skills="cse;bsl", languages="en;bsl",
                        availability="", lat="", lon="", end_date="2027-03-31"),
        ],
        children=[
            make_child(key_worker="W001", key_worker_since="2025-06-02", risk="high"),
            make_child(ref="YP-0002", initials="C.D.", preferred_workers="W002",
                       excluded_workers="W003", availability="Mon 16:00-19:00"),
            make_child(ref="YP-0003", initials="", required_skills="bsl", language="bsl",
                       key_worker="W003", lat="", lon=""),
        ],
        plans=[
            make_plan(),
            make_plan(child="YP-0002", sessions=2, session_minutes=90, max_gap_days=""),
            make_plan(child="YP-0003", every_weeks=2, end_date="2027-06-30"),
        ],
        absences=[
            make_absence(),
            make_absence(worker="W002", start_date="2026-12-21", end_date="2026-12-21",
                         kind="training", note="first aid, all day"),
        ],
    )  # fmt: skip


TableDump = dict[str, list[tuple[Any, ...]]]


def dump_tables(database: Database) -> TableDump:
    """Every row of every table, ordered by primary key: equal dumps = nothing written."""
    dump: TableDump = {}
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            dump[table.name] = [tuple(row) for row in connection.execute(query)]
    return dump


def counts(dump: TableDump) -> dict[str, int]:
    return {name: len(rows) for name, rows in dump.items() if rows}


def run_import(
    database: Database, *paths: Path, now: datetime = NOW, dry_run: bool = False
) -> ImportReport:
    return import_files(
        database, list(paths), actor="tester", now=now, timezone=TIMEZONE, dry_run=dry_run
    )


def import_failure(database: Database, *paths: Path, now: datetime = NOW) -> ImportFailed:
    """Import expecting failure; check that nothing at all was written; return the failure
    (``errors``: the root causes; ``consequences``: the errors that only follow from them)."""
    before = dump_tables(database)
    with pytest.raises(ImportFailed) as info:
        run_import(database, *paths, now=now)
    assert dump_tables(database) == before, "a failed import wrote something"
    return info.value


def import_errors(database: Database, *paths: Path, now: datetime = NOW) -> list[InputError]:
    """Import expecting failure; check that nothing at all was written; return the root
    errors."""
    return import_failure(database, *paths, now=now).errors


def where(error: InputError) -> tuple[str, int, str, str]:
    return (error.file, error.line, error.column, error.value)


def without_audit(dump: TableDump) -> TableDump:
    """The dump less the audit log (every import, even one that changes nothing, is logged)."""
    return {name: rows for name, rows in dump.items() if name != "audit_log"}

"""Two managers importing at the same moment: both imports succeed, one after the other."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from scheduler.csv_import import ImportReport
from scheduler.db import Database
from scheduler.errors import DatabaseError
from tests.factories import counts, dump_tables, run_import, small_team


def test_simultaneous_imports_run_one_after_the_other(database: Database, tmp_path: Path) -> None:
    """regression: the second of two simultaneous imports failed with the driver's
    UniqueViolation (PostgreSQL) or 'database is locked' (SQLite), a crash not a message."""
    directory = small_team(tmp_path)
    reports: list[ImportReport] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            reports.append(run_import(database, directory))
        except BaseException as exc:  # reported below, on the test's own thread
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    created = sorted(report.files["workers.csv"].created for report in reports)
    assert created == [0, 0, 3]
    assert counts(dump_tables(database))["workers"] == 3
    assert counts(dump_tables(database))["audit_log"] == 3


def test_a_database_that_stays_busy_is_a_message_not_a_crash(
    postgres_url: str, tmp_path: Path
) -> None:
    """The driver's OperationalError (a lock not granted in time) becomes DatabaseError.

    PostgreSQL only: its lock_timeout can be set per URL, where SQLite's busy timeout is
    a fixed 30 s.
    """
    blocker = create_engine(postgres_url)
    busy = Database(f"{postgres_url}?options=-c%20lock_timeout%3D200")
    try:
        before = dump_tables(busy)
        with blocker.connect() as connection:
            connection.execute(text("LOCK TABLE workers IN ACCESS EXCLUSIVE MODE"))
            with pytest.raises(DatabaseError, match="nothing was imported"):
                run_import(busy, small_team(tmp_path))
            connection.rollback()
        assert dump_tables(busy) == before
    finally:
        busy.dispose()
        blocker.dispose()

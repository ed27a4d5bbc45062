"""Two managers importing at the same moment: both imports succeed, one after the other."""

from __future__ import annotations

import threading
from pathlib import Path

from scheduler.csv_import import ImportReport
from scheduler.db import Database
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

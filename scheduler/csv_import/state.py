"""What one import carries from file to file, and what a file's columns say about a row.

A column the file lacks keeps its stored value (SPEC "Import rules"); an empty cell in
a column it has clears the value, and the report counts what it cleared.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.csv_import import rows as r
from scheduler.csv_import.bulk import core_insert, table_of
from scheduler.csv_import.fields import AvailabilityEntry
from scheduler.csv_import.parsing import Parsed
from scheduler.csv_import.results import FileCounts, ImportReport
from scheduler.errors import InputError
from scheduler.models import Absence, Child, Closure, Worker


class ImportState:
    """The transaction's session, the parsed files, the errors found and the report being
    counted, with the stored refs' ids; the upserts of :mod:`.upsert_workers` and the
    other ``upsert_*`` modules read and write through it."""

    def __init__(
        self,
        session: Session,
        parsed: Parsed,
        errors: list[InputError],
        report: ImportReport,
        *,
        today: date,
        now: datetime,
        actor: str,
    ) -> None:
        self.s = session
        self.p = parsed
        self.errors = errors
        self.report = report
        self.today = today
        self.now = now
        self.actor = actor
        self.worker_ids: dict[str, int] = dict(
            session.execute(select(table_of(Worker).c.ref, table_of(Worker).c.id)).tuples().all()
        )
        self.child_ids: dict[str, int] = dict(
            session.execute(select(table_of(Child).c.ref, table_of(Child).c.id)).tuples().all()
        )

    def error(self, file: str, line: int, column: str, value: str, message: str) -> None:
        self.errors.append(InputError(file, line, column, value, message))

    def has(self, file: str, column: str) -> bool:
        return column in self.p.columns.get(file, frozenset())

    def absent(self, file: str) -> frozenset[str]:
        return frozenset(c for c in _OPTIONAL[file] if not self.has(file, c))

    def given(self, file: str, line: int, values: dict[str, Any], old: Any) -> dict[str, Any]:
        """The values of a stored row that the file gives: a column the file lacks keeps
        its stored value (SPEC "Import rules"); empty cells that clear one are counted."""
        absent = self.absent(file)
        given = {k: v for k, v in values.items() if k not in absent}
        for column in self.p.empty_cells.get((file, line), ()):
            if column in given and old[column] != given[column]:
                self.count_cleared(file, column)
        return given

    def count_if_cleared(self, file: str, line: int, column: str) -> None:
        if column in self.p.empty_cells.get((file, line), ()):
            self.count_cleared(file, column)

    def replaces_windows(
        self,
        file: str,
        line: int,
        stored: tuple[AvailabilityEntry, ...],
        given: tuple[AvailabilityEntry, ...],
    ) -> bool:
        """Whether the row's availability replaces the stored windows: the file has the
        column and they differ (an empty cell that clears them is counted)."""
        if not self.has(file, "availability") or stored == given:
            return False
        self.count_if_cleared(file, line, "availability")
        return True

    def count_cleared(self, file: str, column: str) -> None:
        per_file = self.report.cleared.setdefault(file, {})
        per_file[column] = per_file.get(column, 0) + 1

    def upsert_keyed(
        self,
        file: str,
        model: type[Absence] | type[Closure],
        key: tuple[str, ...],
        rows: list[tuple[int, dict[str, Any]]],
    ) -> None:
        """Insert or update ``rows`` (line, values) of ``file``, matched to the stored rows
        by the ``key`` columns; a column the file lacks keeps the stored value."""
        counts = self.report.files.setdefault(file, FileCounts())
        existing = {
            tuple(row[k] for k in key): row
            for row in self.s.execute(select(model.__table__)).mappings().all()
        }
        new_rows: list[dict[str, Any]] = []
        changed_rows: list[dict[str, Any]] = []
        for line, given in rows:
            old = existing.get(tuple(given[k] for k in key))
            if old is None:
                new_rows.append(given)
                counts.created += 1
                continue
            values = self.given(file, line, given, old)
            if any(old[k] != v for k, v in values.items()):
                changed_rows.append({"id": old["id"], **values})
                counts.updated += 1
            else:
                counts.unchanged += 1
        if new_rows:
            self.s.execute(core_insert(model), new_rows)
        if changed_rows:
            self.s.execute(update(model), changed_rows)


# The optional columns of each file whose stored values a file without them keeps.
_OPTIONAL: dict[str, frozenset[str]] = {
    "workers.csv": frozenset(r.WORKER_COLUMNS) - set(r.WORKER_REQUIRED),
    "children.csv": frozenset(r.CHILD_COLUMNS) - set(r.CHILD_REQUIRED),
    "plans.csv": frozenset(r.PLAN_COLUMNS) - set(r.PLAN_REQUIRED),
    "absences.csv": frozenset(r.ABSENCE_COLUMNS) - set(r.ABSENCE_REQUIRED),
    # team names the closure (empty = every team): part of its identity, not a value
    "closures.csv": frozenset({"note"}),
}

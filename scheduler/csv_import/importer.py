"""Importing the CSV files: parse all, check all, then write all in one transaction.

Nothing is written unless every file is clean. Writes use bulk statements so a
50,000-row file takes seconds, not minutes (bench/IMPORT.md). The parts: ``reader``
(bytes to cells with physical lines), ``rows`` and ``fields`` (cells to typed rows),
``parsing`` (the files on their own: duplicates, refs), ``plans`` (how plans replace
each other), ``case_record`` (the imported key worker); ``files`` finds the files;
this module checks refs against the database and writes every file in one
transaction, one ``upsert_*`` module a file, through ``state`` and ``bulk``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.csv_import.files import find_files
from scheduler.csv_import.parsing import parse_all, unknown_ref
from scheduler.csv_import.results import FileCounts, ImportReport
from scheduler.csv_import.sessions_file import (
    OutcomeRow,
    check_sessions,
    parse_sessions,
    write_sessions,
)
from scheduler.csv_import.state import ImportState
from scheduler.csv_import.upsert_absences import upsert_absences
from scheduler.csv_import.upsert_children import upsert_children
from scheduler.csv_import.upsert_closures import check_closure_teams, upsert_closures
from scheduler.csv_import.upsert_plans import merge_stored_plans, write_plans
from scheduler.csv_import.upsert_workers import upsert_workers
from scheduler.csv_import.workbook import Sheet, Source, locate, locate_cause, sheet_header
from scheduler.db import Database
from scheduler.errors import DatabaseError, ImportFailed, InputError


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back after counting."""


def import_files(
    database: Database,
    paths: Sequence[Path],
    *,
    actor: str,
    now: datetime,
    timezone: str,
    dry_run: bool = False,
    action: str = "import",
    detail: dict[str, Any] | None = None,
    as_of: datetime | None = None,
) -> ImportReport:
    """Import ``paths`` in one transaction; ``action`` names it in the audit log (the
    everyday commands are one-row imports). ``as_of``: import as if it were that time
    (``--as-of``, as for ``plan``): today's date for the checks and the case record's
    changes, and the time the sessions of ``sessions.csv`` must have begun by; the
    audit log keeps the wall clock ``now``."""
    files = find_files(paths)
    errors: list[InputError] = []
    parsed = parse_all(files, errors)
    zone = ZoneInfo(timezone)
    outcomes = (
        parse_sessions(files["sessions.csv"], zone, errors) if "sessions.csv" in files else []
    )
    report = ImportReport(dry_run=dry_run)
    today = (as_of or now).astimezone(zone).date()
    try:
        with database.transaction() as session:
            _one_import_at_a_time(session)
            state = ImportState(session, parsed, errors, report, today=today, now=now, actor=actor)
            _check_and_write(state, outcomes, as_of=as_of or now, zone=zone)
            if errors:
                ordered = sorted(errors, key=lambda e: (e.file, e.line, e.column))
                raise ImportFailed(_located(ordered, files))
            if dry_run:
                raise _DryRun
            audit.record(
                session,
                actor=actor,
                action=action,
                at=now,
                files=sorted(files),
                counts={n: vars(c) for n, c in report.files.items()},
                **(detail or {}),
            )
    except _DryRun:
        pass
    except OperationalError as exc:
        # Busy past the timeout (another writer held SQLite for 30 s), or the server went
        # away: nothing was written, and the manager can simply run the import again.
        raise DatabaseError(
            f"the import could not be written, nothing was imported: {exc.orig}"
        ) from exc
    return report


# Any fixed number will do: it names the import lock among PostgreSQL advisory locks.
_IMPORT_LOCK = 0x6B77_696D  # "kwim"


def _located(errors: list[InputError], files: dict[str, Source]) -> list[InputError]:
    """Errors of files read from workbook sheets, named by workbook, sheet and cell."""
    headers = {
        name: sheet_header(source) for name, source in files.items() if isinstance(source, Sheet)
    }
    out = []
    for found in errors:
        error, cause = found, found.caused_by
        if cause is not None and isinstance(root := files.get(cause.file), Sheet):
            error = replace(error, caused_by=locate_cause(cause, root))
        source = files.get(error.file)
        out.append(
            locate(error, source, headers[error.file]) if isinstance(source, Sheet) else error
        )
    return out


def _one_import_at_a_time(session: Session) -> None:
    """Serialise imports, so two at once both succeed instead of one failing.

    Without it, two imports of new refs collide on the unique constraints (PostgreSQL),
    or the second, having read before the first committed, cannot write (SQLite).
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})
    elif dialect == "sqlite":
        # A write before any read takes SQLite's write lock now (waiting as long as the
        # busy timeout), so every read below already sees the other import's rows.
        session.execute(text("DELETE FROM audit_log WHERE 0"))


def _check_and_write(
    state: ImportState, outcome_rows: list[OutcomeRow], *, as_of: datetime, zone: ZoneInfo
) -> None:
    """Check the refs against the database and each other, then write every file given."""
    known = {
        "worker": set(state.worker_ids) | state.p.worker_refs,
        "child": set(state.child_ids) | state.p.child_refs,
    }
    reported: set[tuple[str, int, str, str]] = set()
    for kind, file, line, column, ref in state.p.mentions:
        if ref not in known[kind] and (file, line, column, ref) not in reported:
            reported.add((file, line, column, ref))
            state.errors.append(
                unknown_ref(
                    kind, ref, state.p.cause(kind, ref), file=file, line=line, column=column
                )
            )
    check_closure_teams(state)
    for child in state.p.children:
        since = child.key_worker_since
        if since is not None and since > state.today:
            state.error(
                "children.csv",
                child.line,
                "key_worker_since",
                since.isoformat(),
                f"key_worker_since is after today ({state.today}); it is the day the "
                "relationship began",
            )
    known_children = known["child"]
    # Plans of a child whose row failed are still checked against each other: their
    # overlaps are errors of their own.
    plans = merge_stored_plans(state, known_children | set(state.p.failed.get("child", ())))
    outcomes = check_sessions(
        state.s, outcome_rows, known_children=known_children, known_workers=known["worker"],
        now=as_of, zone=zone, errors=state.errors, causes=state.p.cause,
    )  # fmt: skip
    if state.errors:
        return
    if "workers.csv" in state.p.present:
        upsert_workers(state)
    if "children.csv" in state.p.present:
        upsert_children(state)
    if "plans.csv" in state.p.present:
        write_plans(state, plans)
    if "absences.csv" in state.p.present:
        upsert_absences(state)
    if "closures.csv" in state.p.present:
        upsert_closures(state)
    if "sessions.csv" in state.p.present:
        counts = state.report.files.setdefault("sessions.csv", FileCounts())
        for written in write_sessions(
            state.s, outcomes, child_ids=state.child_ids, worker_ids=state.worker_ids,
            actor=state.actor, now=state.now,
        ):  # fmt: skip
            setattr(counts, written.change, getattr(counts, written.change) + 1)
    state.s.flush()

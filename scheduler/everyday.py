"""The everyday changes from the command line: an absence, a leaver, a new referral.

Each is a one-row import: the row goes through exactly the import's parsing,
checks and single transaction (so the rules and messages are the import's, and a
bad value changes nothing), and is audited under the command's own name.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from scheduler.csv_import import ImportReport, import_files
from scheduler.db import Database
from scheduler.errors import NotFound, RefusedAction
from scheduler.models import Absence, Child, Worker

Row = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class AbsenceView:
    worker: str
    name: str
    start: date
    end: date
    kind: str
    note: str | None


def _one_row_import(
    database: Database,
    files: Sequence[tuple[str, Row]],
    *,
    actor: str,
    now: datetime,
    timezone: str,
    action: str,
) -> ImportReport:
    with tempfile.TemporaryDirectory(prefix="keyworker-") as folder:
        paths = []
        for name, row in files:
            path = Path(folder) / name
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(row))
                writer.writeheader()
                writer.writerow(dict(row))
            paths.append(path)
        return import_files(
            database,
            paths,
            actor=actor,
            now=now,
            timezone=timezone,
            action=action,
            detail={"rows": {name: dict(row) for name, row in files}},  # what was typed
        )


def _worker(database: Database, ref: str) -> Worker:
    with database.reading() as session:
        worker = session.scalar(select(Worker).where(Worker.ref == ref))
        if worker is None:
            raise NotFound("worker", ref)
        session.expunge(worker)
        return worker


def add_absence(
    database: Database,
    *,
    worker: str,
    start: str,
    end: str,
    kind: str,
    note: str | None,
    actor: str,
    now: datetime,
    timezone: str,
) -> ImportReport:
    _worker(database, worker)
    row = {"worker": worker, "start_date": start, "end_date": end, "kind": kind}
    if note is not None:
        row["note"] = note
    return _one_row_import(
        database,
        [("absences.csv", row)],
        actor=actor,
        now=now,
        timezone=timezone,
        action="absence.add",
    )


def end_absence(
    database: Database, *, worker: str, last_day: date, actor: str, now: datetime, timezone: str
) -> tuple[AbsenceView, ImportReport]:
    """Make ``last_day`` the last day of the worker's absence that includes it."""
    found = [a for a in list_absences(database, worker=worker) if a.start <= last_day <= a.end]
    if not found:
        raise RefusedAction(f"{worker} has no absence that includes {last_day}")
    absence = found[0]
    row = {
        "worker": worker,
        "start_date": absence.start.isoformat(),
        "end_date": last_day.isoformat(),
        "kind": absence.kind,
    }
    report = _one_row_import(
        database,
        [("absences.csv", row)],
        actor=actor,
        now=now,
        timezone=timezone,
        action="absence.end",
    )
    return absence, report


def list_absences(
    database: Database,
    *,
    worker: str | None = None,
    since: date | None = None,
) -> list[AbsenceView]:
    with database.reading() as session:
        query = select(Absence, Worker).join(Worker, Absence.worker_id == Worker.id)
        if worker is not None:
            if session.scalar(select(Worker.id).where(Worker.ref == worker)) is None:
                raise NotFound("worker", worker)
            query = query.where(Worker.ref == worker)
        if since is not None:
            query = query.where(Absence.end_date >= since)
        rows = session.execute(query.order_by(Absence.start_date, Worker.ref)).all()
        return [
            AbsenceView(w.ref, w.name, a.start_date, a.end_date, a.kind, a.note) for a, w in rows
        ]


def worker_leaves(
    database: Database,
    *,
    worker: str,
    last_day: str,
    actor: str,
    now: datetime,
    timezone: str,
) -> ImportReport:
    """Set ``worker``'s last working day. Only the required columns and ``end_date``
    are in the row: a column a file does not have leaves the stored values alone."""
    stored = _worker(database, worker)
    row = {
        "ref": stored.ref,
        "name": stored.name,
        "team": stored.team,
        "hours_per_week": f"{stored.hours_per_week:g}",
        "max_caseload": str(stored.max_caseload),
        "end_date": last_day,
    }
    return _one_row_import(
        database,
        [("workers.csv", row)],
        actor=actor,
        now=now,
        timezone=timezone,
        action="worker.leaves",
    )


def add_referral(
    database: Database,
    *,
    child: Row,
    plan: Row,
    actor: str,
    now: datetime,
    timezone: str,
) -> ImportReport:
    """A new child and their support plan, as one children.csv and one plans.csv row."""
    with database.reading() as session:
        if session.scalar(select(Child.id).where(Child.ref == child["ref"])) is not None:
            raise RefusedAction(
                f"{child['ref']} is already known: referral add is for a new child "
                "(change a known child with an import of children.csv)"
            )
    return _one_row_import(
        database,
        [("children.csv", child), ("plans.csv", {"child": child["ref"], **plan})],
        actor=actor,
        now=now,
        timezone=timezone,
        action="referral.add",
    )

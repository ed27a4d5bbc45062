"""The run record in ``nightly_runs``: start, finish, what a run committed, and the runs
a process that died left ``running``."""

from __future__ import annotations

import logging
import os
import socket
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.db import Database
from scheduler.models import NightlyRun, PlanVersion
from scheduler.nightly.trigger import night_bounds

log = logging.getLogger("keyworker.nightly")

ACTOR = "nightly"


def night_succeeded(session: Session, night: date, zone: ZoneInfo) -> NightlyRun | None:
    """The successful run scheduled for ``night``, if there is one."""
    start, end = night_bounds(night, zone)
    return session.scalars(
        select(NightlyRun)
        .where(
            NightlyRun.outcome == "success",
            NightlyRun.scheduled_for >= start,
            NightlyRun.scheduled_for < end,
        )
        .order_by(NightlyRun.id)
        .limit(1)
    ).first()


def start_record(database: Database, *, trigger: str, slot: datetime | None, now: datetime) -> int:
    with database.transaction() as session:
        row = NightlyRun(
            scheduled_for=slot,
            started_at=now,
            finished_at=None,
            outcome="running",
            trigger=trigger,
            host=socket.gethostname()[:200],
            pid=os.getpid(),
        )
        session.add(row)
        session.flush()
        return row.id


def finish_record(
    database: Database,
    run_id: int,
    *,
    now: datetime,
    outcome: str,
    version: int | None = None,
    changes: int | None = None,
    alerts: int | None = None,
    error: str | None = None,
) -> None:
    with database.transaction() as session:
        session.execute(
            update(NightlyRun)
            .where(NightlyRun.id == run_id)
            .values(
                finished_at=now,
                outcome=outcome,
                plan_version_id=version,
                changes=changes,
                alerts=alerts,
                error=error,
            )
        )


def committed_version(database: Database, now: datetime, *, after: int) -> int | None:
    """The plan version this run committed, if it got that far."""
    with database.reading() as session:
        return session.scalar(
            select(PlanVersion.id).where(
                PlanVersion.id > after,
                PlanVersion.committed_by == ACTOR,
                PlanVersion.committed_at == now,
            )
        )


def abandon_orphans(database: Database, *, now: datetime) -> int:
    """Mark runs left ``running`` by a process that died as failed; call under the lease.

    Whoever holds the lease is the only process that may be running a run, so any other
    run still marked running was cut short (``kill -9``, a crash, a power cut). Its
    transaction was never committed, so the plan is the one before it.
    """
    with database.reading() as session:
        orphans = session.execute(
            select(NightlyRun.id, NightlyRun.host, NightlyRun.pid).where(
                NightlyRun.outcome == "running"
            )
        ).all()
    if not orphans:
        return 0
    # Writes only, so that on SQLite the transaction waits for the write lock.
    with database.transaction() as session:
        for run_id, host, pid in orphans:
            session.execute(
                update(NightlyRun)
                .where(NightlyRun.id == run_id, NightlyRun.outcome == "running")
                .values(
                    outcome="failed",
                    finished_at=now,
                    error=f"abandoned: the process running it ({host} pid {pid}) stopped "
                    "before it finished; nothing of it was committed",
                )
            )
            log.warning("nightly run %d was abandoned by %s pid %d", run_id, host, pid)
    return len(orphans)

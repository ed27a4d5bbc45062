"""Read-only lists for ``show workers``, ``show children`` and ``runs``, on SQLAlchemy
Core: tables a manager can read, without the ORM or the models (start-up time,
bench/STARTUP.md). The views of one child, one worker and the plan are in
:mod:`scheduler.plan_views`; the alert list in :mod:`scheduler.alert_list`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from scheduler import tables as t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from scheduler.db import Database

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: Sequence[tuple[object, ...]]


def format_windows(windows: Sequence[tuple[int, int, int]]) -> str:
    if not windows:
        return "any time"
    return ";".join(
        f"{DAY_NAMES[d]} {s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}"
        for d, s, e in windows
    )


def current_key_workers(connection: Connection | Session, on: date) -> dict[int, int]:
    """child id -> key worker id from the relationship history, on ``on``."""
    h = t.key_worker_history.c
    query = (
        select(h.child_id, h.worker_id)
        .where(
            h.role == "key",
            h.start_date <= on,
            (h.end_date.is_(None)) | (h.end_date >= on),
        )
        .order_by(h.start_date)
    )
    return dict(connection.execute(query).tuples().all())


def workers_table(database: Database, today: date) -> Table:
    """Every worker with caseload (on ``today``), skills, languages and availability."""
    w, x = t.workers.c, t.worker_windows.c
    with database.connect() as connection:
        keyed = current_key_workers(connection, today)
        windows: dict[int, list[tuple[int, int, int]]] = {}
        for worker_id, weekday, start, end in connection.execute(
            select(x.worker_id, x.weekday, x.start_minute, x.end_minute).order_by(x.id)
        ):
            windows.setdefault(worker_id, []).append((weekday, start, end))
        workers = connection.execute(
            select(
                w.id, w.ref, w.name, w.team, w.hours_per_week, w.max_caseload, w.skills,
                w.languages, w.end_date,
            ).order_by(w.team, w.ref)
        ).all()  # fmt: skip
    caseload: dict[int, int] = {}
    for worker_id in keyed.values():
        caseload[worker_id] = caseload.get(worker_id, 0) + 1
    rows: list[tuple[object, ...]] = [
        (
            r.ref,
            r.name,
            r.team,
            r.hours_per_week,
            f"{caseload.get(r.id, 0)}/{r.max_caseload}",
            r.skills,
            r.languages,
            format_windows(windows.get(r.id, [])),
            r.end_date,
        )
        for r in workers
    ]
    headers = ("ref", "name", "team", "hours", "caseload", "skills", "languages",
               "availability", "leaves")  # fmt: skip
    return Table("Workers", headers, rows)


def children_table(database: Database, today: date) -> Table:
    """Every child with risk, key worker (on ``today``), pin and needs."""
    c, p = t.children.c, t.support_plans.c
    with database.connect() as connection:
        keyed = current_key_workers(connection, today)
        refs = dict(connection.execute(select(t.workers.c.id, t.workers.c.ref)).tuples().all())
        plan_counts = dict(
            connection.execute(select(p.child_id, func.count()).group_by(p.child_id)).tuples().all()
        )
        children = connection.execute(
            select(
                c.id, c.ref, c.initials, c.team, c.risk, c.pinned_worker_id,
                c.required_skills, c.language,
            ).order_by(c.team, c.ref)
        ).all()  # fmt: skip
    rows: list[tuple[object, ...]] = []
    for r in children:
        key = keyed.get(r.id)
        rows.append(
            (
                r.ref,
                r.initials,
                r.team,
                r.risk,
                refs.get(key) if key else None,
                refs.get(r.pinned_worker_id) if r.pinned_worker_id else None,
                r.required_skills,
                r.language,
                plan_counts.get(r.id, 0),
            )
        )
    headers = ("ref", "initials", "team", "risk", "key worker", "pinned", "needs skills",
               "language", "plans")  # fmt: skip
    return Table("Children", headers, rows)


@dataclass(frozen=True, slots=True)
class RunRow:
    """One nightly run as ``runs`` lists it; times aware (UTC)."""

    id: int
    night: date | None  # the local date of its scheduled time
    trigger: str
    started: datetime
    finished: datetime | None
    outcome: str
    version: int | None
    changes: int | None
    alerts: int | None
    process: str
    error: str | None

    @property
    def seconds(self) -> float | None:
        if self.finished is None:
            return None
        return (self.finished - self.started).total_seconds()


def nightly_runs(database: Database, zone: ZoneInfo, limit: int) -> list[RunRow]:
    """The newest ``limit`` nightly runs, newest first (no OR-Tools, no ORM)."""
    n = t.nightly_runs.c
    with database.connect() as connection:
        rows = connection.execute(
            select(
                n.id, n.scheduled_for, n.trigger, n.started_at, n.finished_at, n.outcome,
                n.plan_version_id, n.changes, n.alerts, n.host, n.pid, n.error,
            )
            .order_by(n.started_at.desc(), n.id.desc())
            .limit(limit)
        ).all()  # fmt: skip
    return [
        RunRow(
            id=r.id,
            night=r.scheduled_for.astimezone(zone).date() if r.scheduled_for else None,
            trigger=r.trigger,
            started=r.started_at,
            finished=r.finished_at,
            outcome=r.outcome,
            version=r.plan_version_id,
            changes=r.changes,
            alerts=r.alerts,
            process=f"{r.host}:{r.pid}",
            error=r.error,
        )
        for r in rows
    ]

"""Which stored alerts a listing or an acknowledgement picks, and the alert list itself.

On SQLAlchemy Core, without the ORM or the models, so that ``keyworker alerts`` starts
fast (bench/STARTUP.md); :func:`scheduler.alerts.select_alerts` loads the ORM rows of
the same pick for ``alerts ack``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Connection, or_, select

from scheduler import tables as t
from scheduler.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from scheduler.db import Database

SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}
KINDS = (
    "KEYWORKER_CHANGE",
    "CONTACT_GAP",
    "COVER",
    "UNMET_SESSIONS",
    "UNALLOCATED",
    "FROZEN_CHANGE",
    "WORKER_LEAVING",
)


class Dated(Protocol):
    """What the open/passed rule reads of an alert (a stored one or a listed row)."""

    @property
    def kind(self) -> str: ...
    @property
    def start(self) -> date: ...
    @property
    def status(self) -> str: ...


def is_past_its_date(alert: Dated, today: date) -> bool:
    """A key-worker change whose change date has passed is no longer open: the change
    has happened, and there is nothing left to prepare for."""
    return alert.kind == "KEYWORKER_CHANGE" and alert.start < today


def shown_status(alert: Dated, today: date) -> str:
    if alert.status != "resolved" and is_past_its_date(alert, today):
        return "passed"
    return alert.status


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """Which alerts a listing or an acknowledgement concerns; empty fields match all.

    ``severity`` matches that severity or above, as ``plan --fail-on`` does.
    """

    severity: str | None = None
    kinds: tuple[str, ...] = ()
    child: str | None = None
    team: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.severity is None and not self.kinds and not self.child and not self.team


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One stored alert as the list shows it."""

    id: str
    severity: str
    kind: str
    child_ref: str | None
    worker_ref: str | None
    start: date
    end: date
    status: str
    delivered_at: datetime | None
    message: str


def check_filter(connection: Connection | Session, where: AlertFilter) -> None:
    """Refuse a filter naming a child or a team that is not stored (``NotFound``)."""
    c, w = t.children.c, t.workers.c
    if where.child is not None and (
        connection.execute(select(c.id).where(c.ref == where.child)).first() is None
    ):
        raise NotFound("child", where.child)
    if where.team is not None and not (
        connection.execute(select(c.id).where(c.team == where.team).limit(1)).first()
        or connection.execute(select(w.id).where(w.team == where.team).limit(1)).first()
    ):
        raise NotFound("team", where.team)


def alert_rows(
    connection: Connection | Session, where: AlertFilter, *, today: date, open_only: bool = True
) -> list[AlertRow]:
    """The alerts ``where`` picks, most severe first; ``open_only``: those still open on
    ``today`` (a key-worker change past its date is not)."""
    a = t.alerts.c
    query = select(
        a.id, a.severity, a.kind, a.child_ref, a.worker_ref, a.start, a.end, a.status,
        a.delivered_at, a.message,
    )  # fmt: skip
    if open_only:
        query = query.where(a.status == "open")
    if where.severity is not None:
        ranks = [k for k, v in SEVERITY_RANK.items() if v >= SEVERITY_RANK[where.severity]]
        query = query.where(a.severity.in_(ranks))
    if where.kinds:
        query = query.where(a.kind.in_(where.kinds))
    if where.child is not None:
        query = query.where(a.child_ref == where.child)
    if where.team is not None:
        children = select(t.children.c.ref).where(t.children.c.team == where.team)
        workers = select(t.workers.c.ref).where(t.workers.c.team == where.team)
        query = query.where(
            or_(a.child_ref.in_(children), a.child_ref.is_(None) & a.worker_ref.in_(workers))
        )
    rows = [AlertRow(*r) for r in connection.execute(query)]
    rows = [r for r in rows if not (open_only and is_past_its_date(r, today))]
    return sorted(
        rows,
        key=lambda r: (-SEVERITY_RANK[r.severity], r.kind, r.child_ref or "", r.start, r.id),
    )


def list_alerts(
    database: Database, where: AlertFilter, *, today: date, open_only: bool = True
) -> list[AlertRow]:
    """``alerts``: the alerts ``where`` picks (checked: its child and team exist)."""
    with database.connect() as connection:
        check_filter(connection, where)
        return alert_rows(connection, where, today=today, open_only=open_only)

"""The manager's changes as use cases: each runs in its own transaction and is audited.

``pin``/``unpin`` a child's key worker, ``lock``/``unlock`` a session, ``acknowledge``
alerts, ``record`` what happened to a session, and ``export_plan`` (an export of
children's data is audited before it goes out). The rules themselves are in
:mod:`scheduler.overrides`, :mod:`scheduler.alerts` and :mod:`scheduler.outcomes`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import alerts, audit, outcomes, overrides
from scheduler.alert_list import AlertFilter, check_filter
from scheduler.db import Database
from scheduler.errors import NotFound, RefusedAction
from scheduler.models import Alert, Worker
from scheduler.plan_json import current_plan_json

# Run inside a change's transaction once something changed (the feeds' refresh).
AfterChange = Callable[[Session, datetime], None]


def audit_entry(
    database: Database,
    *,
    actor: str,
    action: str,
    at: datetime,
    as_of: datetime | None = None,
    **detail: Any,
) -> None:
    """Record ``action`` in its own transaction: for exports of children's data and
    secret URLs, which change nothing else."""
    with database.transaction() as session:
        audit.record(session, actor=actor, action=action, at=at, as_of=as_of, **detail)


def pin(
    database: Database,
    child: str,
    worker: str,
    *,
    actor: str,
    now: datetime,
    today: date,
    from_day: date | None = None,
) -> None:
    """Fix ``child``'s key worker to ``worker``, at once or from ``from_day``."""
    with database.transaction() as session:
        overrides.pin(session, child, worker, actor=actor, now=now, today=today, from_day=from_day)


def unpin(database: Database, child: str, *, actor: str, now: datetime) -> None:
    with database.transaction() as session:
        overrides.unpin(session, child, actor=actor, now=now)


def lock(
    database: Database, session_id: str, *, locked: bool = True, actor: str, now: datetime
) -> None:
    """Fix (``locked``) or free a session's worker, day and time."""
    with database.transaction() as session:
        overrides.set_lock(session, session_id, locked, actor=actor, now=now)


@dataclass(frozen=True, slots=True)
class Acknowledged:
    id: str
    kind: str
    child: str | None


def acknowledge(
    database: Database,
    ids: Sequence[str],
    where: AlertFilter,
    *,
    actor: str,
    now: datetime,
    today: date,
    note: str | None = None,
) -> list[Acknowledged]:
    """Acknowledge the open alerts ``ids`` names, or (no ids) every open one ``where``
    picks. All or nothing: one id that is not open, and none is (``RefusedAction``)."""
    with database.transaction() as session:
        check_filter(session, where)
        if ids:
            chosen: list[Alert] = []
            problems: list[str] = []
            for alert_id in dict.fromkeys(ids):
                alert = session.get(Alert, alert_id)
                if alert is None:
                    problems.append(str(NotFound("alert", alert_id)))
                elif alert.status != "open" or alerts.is_past_its_date(alert, today):
                    shown = alerts.shown_status(alert, today)
                    problems.append(f"alert {alert_id} is {shown}, not open")
                else:
                    chosen.append(alert)
            if problems:
                raise RefusedAction("; ".join(problems) + "; nothing was acknowledged")
        else:
            chosen = alerts.select_alerts(session, where, today=today)
        for alert in chosen:
            alerts.acknowledge(session, alert, actor=actor, now=now, note=note)
            audit.record(
                session,
                actor=actor,
                action="alerts.ack",
                at=now,
                alert=alert.id,
                kind=alert.kind,
                child=alert.child_ref,
                note=note,
            )
        return [Acknowledged(a.id, a.kind, a.child_ref) for a in chosen]


def record(
    database: Database,
    session_id: str,
    outcome: str,
    *,
    worker: str | None,
    note: str | None,
    actor: str,
    now: datetime,
    at: datetime,
    zone: ZoneInfo,
    after_change: AfterChange | None = None,
) -> outcomes.Recorded:
    """``record``: what happened to a session that has begun (``now``: ``--as-of``; ``at``:
    the wall clock). ``after_change`` runs in the same transaction when it changed
    something (a cancelled session is struck through in the calendars)."""
    with database.transaction() as session:
        done = outcomes.record_outcome(
            session,
            session_id,
            outcome,
            worker=worker,
            note=note,
            actor=actor,
            now=now,
            at=at,
            zone=zone,
        )
        if done.written.change != "unchanged" and after_change is not None:
            after_change(session, at)
    return done


def export_plan(
    database: Database, *, actor: str, now: datetime, **detail: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """The current plan as Plan JSON and the workers' names by ref, audited as
    ``export.plan`` (with ``detail``) in the same transaction: never an export without
    its audit entry."""
    with database.transaction() as session:
        data = current_plan_json(session)
        if data is None:
            raise NotFound("committed plan", "current")
        names = dict(session.execute(select(Worker.ref, Worker.name)).tuples().all())
        audit.record(
            session,
            actor=actor,
            action="export.plan",
            at=now,
            version=data.get("version"),
            **detail,
        )
    return data, names

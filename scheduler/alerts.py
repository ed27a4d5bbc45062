"""Alerts: identities, stable ids, and how a commit updates the stored ones.

A finding from the solver becomes an alert whose identity is kind + child + worker,
plus the session (``COVER``, ``FROZEN_CHANGE``), the plan start and period start
(``UNMET_SESSIONS``) or the gap's first day (``CONTACT_GAP``). The id is derived
from the identity, so a re-plan that raises the same problem gives the same id,
whether or not anything was committed in between.

An alert stays until a person has seen it: a ``KEYWORKER_CHANGE`` that a later
plan does not raise again only because the change is already committed (the
committed key-worker record still names that worker from that date) stays open,
or acknowledged, until its change date has passed. From the day after its change
date it is no longer listed as open, and the next commit resolves it. Other kinds
whose cause a later committed plan no longer has are resolved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

# The rules of the list (severity ranks, kinds, the filter, open or passed) live in the
# light module that 'keyworker alerts' reads them from; they are named here too.
from scheduler.alert_list import (
    KINDS,
    SEVERITY_RANK,
    AlertFilter,
    alert_rows,
    is_past_its_date,
    shown_status,
)
from scheduler.models import Alert, Child, KeyWorkerHistory, PlanVersion, Worker

if TYPE_CHECKING:  # 'keyworker alerts' starts without OR-Tools (bench/STARTUP.md)
    import solver

__all__ = [
    "KINDS",
    "SEVERITY_RANK",
    "AlertFilter",
    "PlannedAlert",
    "StoredAlerts",
    "acknowledge",
    "alert_id",
    "from_findings",
    "identity_of",
    "is_past_its_date",
    "select_alerts",
    "shown_status",
    "store",
]


@dataclass(frozen=True, slots=True)
class PlannedAlert:
    id: str
    identity: str
    kind: str
    severity: str
    child: str | None
    worker: str | None
    session: str | None
    start: date
    end: date
    message: str


def identity_of(finding: solver.Finding) -> str:
    parts = [finding.kind, finding.child or "", finding.worker or ""]
    if finding.kind in ("COVER", "FROZEN_CHANGE"):
        parts.append(finding.session or "")
    elif finding.kind == "UNMET_SESSIONS":
        parts += [str(finding.plan_start or ""), finding.start.isoformat()]
    elif finding.kind == "CONTACT_GAP":
        parts.append(finding.start.isoformat())
    return "|".join(parts)


def alert_id(identity: str) -> str:
    return "A-" + hashlib.sha256(identity.encode()).hexdigest()[:10]


def from_findings(findings: Iterable[solver.Finding]) -> list[PlannedAlert]:
    """One alert per identity (the most severe if the solver repeats one), sorted."""
    chosen: dict[str, PlannedAlert] = {}
    for f in findings:
        identity = identity_of(f)
        alert = PlannedAlert(
            alert_id(identity),
            identity,
            f.kind,
            f.severity,
            f.child,
            f.worker,
            f.session,
            f.start,
            f.end,
            f.message,
        )
        old = chosen.get(identity)
        if old is None or SEVERITY_RANK[alert.severity] > SEVERITY_RANK[old.severity]:
            chosen[identity] = alert
    return sorted(
        chosen.values(),
        key=lambda a: (-SEVERITY_RANK[a.severity], a.kind, a.child or "", a.start, a.id),
    )


@dataclass
class StoredAlerts:
    """What a commit did to the stored alerts (their ids); ``to_deliver`` need sending."""

    new: list[str] = field(default_factory=list)
    worsened: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    to_deliver: list[Alert] = field(default_factory=list)


def store(
    session: Session,
    alerts: list[PlannedAlert],
    *,
    version: int,
    now: datetime,
    scope_children: set[str] | None,
) -> StoredAlerts:
    """Upsert the plan's alerts; resolve the ones it no longer raises (in its scope)."""
    outcome = StoredAlerts()
    stored = {a.identity: a for a in session.scalars(select(Alert))}
    raised = {a.identity for a in alerts}
    # new alerts go in as one executemany, not as ORM objects: a first plan at la
    # size raises thousands, and building and flushing an object each took seconds
    fresh: list[dict[str, object]] = []
    for planned in alerts:
        row = stored.get(planned.identity)
        if row is None:
            fresh.append(
                {
                    "id": planned.id,
                    "identity": planned.identity,
                    "kind": planned.kind,
                    "severity": planned.severity,
                    "child_ref": planned.child,
                    "worker_ref": planned.worker,
                    "session_id": planned.session,
                    "start": planned.start,
                    "end": planned.end,
                    "message": planned.message,
                    "status": "open",
                    "first_seen_version": version,
                    "last_seen_version": version,
                    "created_at": now,
                    "updated_at": now,
                    "delivery_attempts": 0,
                }
            )
            outcome.new.append(planned.id)
            continue
        worse = (
            SEVERITY_RANK[planned.severity]
            > SEVERITY_RANK[row.acknowledged_severity or row.severity]
        )
        if row.status == "resolved":
            row.status = "open"
            row.first_seen_version = version
            row.delivered_at = None
            outcome.new.append(row.id)
        elif row.status == "acknowledged" and worse:
            row.status = "open"
            row.delivered_at = None
            outcome.worsened.append(row.id)
        row.severity = planned.severity
        row.start, row.end = planned.start, planned.end
        row.message = planned.message
        row.worker_ref, row.session_id = planned.worker, planned.session
        row.last_seen_version = version
        row.updated_at = now
    unraised = [
        row
        for identity, row in stored.items()
        if identity not in raised
        and row.status != "resolved"
        # another team's alert: this plan says nothing about it
        and (scope_children is None or row.child_ref in scope_children)
    ]
    standing = _changes_still_committed(session, unraised, today=_today(session, version, now))
    for row in unraised:
        if row.id in standing:
            continue  # not raised again only because it is committed: a person must see it
        row.status = "resolved"
        row.updated_at = now
        outcome.resolved.append(row.id)
    session.flush()
    if fresh:
        session.execute(insert(Alert), fresh)
    outcome.to_deliver = list(
        session.scalars(select(Alert).where(Alert.delivered_at.is_(None), Alert.status == "open"))
    )
    return outcome


def _today(session: Session, version: int, now: datetime) -> date:
    plan = session.get(PlanVersion, version)
    return (now.astimezone(ZoneInfo(plan.timezone)) if plan is not None else now).date()


def _changes_still_committed(session: Session, rows: list[Alert], *, today: date) -> set[str]:
    """Ids of the ``KEYWORKER_CHANGE`` alerts among ``rows`` whose change date has not
    passed and that the committed key-worker record still makes (that worker is the
    child's key worker on that date)."""
    changes = [
        r
        for r in rows
        if r.kind == "KEYWORKER_CHANGE" and r.start >= today and r.child_ref and r.worker_ref
    ]
    if not changes:
        return set()
    children = {r.child_ref for r in changes}
    key_rows = session.execute(
        select(Child.ref, Worker.ref, KeyWorkerHistory.start_date, KeyWorkerHistory.end_date)
        .join(Child, Child.id == KeyWorkerHistory.child_id)
        .join(Worker, Worker.id == KeyWorkerHistory.worker_id)
        .where(KeyWorkerHistory.role == "key", Child.ref.in_(children))
    ).tuples()
    spans: dict[tuple[str, str], list[tuple[date, date | None]]] = {}
    for child, worker, start, end in key_rows:
        spans.setdefault((child, worker), []).append((start, end))
    return {
        r.id
        for r in changes
        if any(
            s <= r.start and (e is None or r.start <= e)
            for s, e in spans.get((r.child_ref or "", r.worker_ref or ""), [])
        )
    }


def select_alerts(
    session: Session, where: AlertFilter, *, today: date, open_only: bool = True
) -> list[Alert]:
    """The stored alerts :func:`scheduler.alert_list.alert_rows` picks, in its order."""
    rows = alert_rows(session, where, today=today, open_only=open_only)
    ids = [r.id for r in rows]
    found = {a.id: a for a in session.scalars(select(Alert).where(Alert.id.in_(ids)))}
    return [found[i] for i in ids]


def acknowledge(
    session: Session, alert: Alert, *, actor: str, now: datetime, note: str | None = None
) -> None:
    alert.status = "acknowledged"
    alert.acknowledged_severity = alert.severity
    alert.acknowledged_at = now
    alert.acknowledged_by = actor
    alert.acknowledged_note = note
    alert.updated_at = now

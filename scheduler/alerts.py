"""Alerts: identities, stable ids, and how a commit updates the stored ones.

A finding from the solver becomes an alert whose identity is kind + child + worker,
plus the session (``COVER``, ``FROZEN_CHANGE``), the plan start and period start
(``UNMET_SESSIONS``) or the gap's first day (``CONTACT_GAP``). The id is derived
from the identity, so a re-plan that raises the same problem gives the same id,
whether or not anything was committed in between.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import solver
from scheduler.models import Alert

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
    """What a commit did to the stored alerts; ``to_deliver`` need sending."""

    new: list[Alert] = field(default_factory=list)
    worsened: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
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
    for planned in alerts:
        row = stored.get(planned.identity)
        if row is None:
            row = Alert(
                id=planned.id,
                identity=planned.identity,
                kind=planned.kind,
                severity=planned.severity,
                child_ref=planned.child,
                worker_ref=planned.worker,
                session_id=planned.session,
                start=planned.start,
                end=planned.end,
                message=planned.message,
                status="open",
                first_seen_version=version,
                last_seen_version=version,
                created_at=now,
                updated_at=now,
                delivery_attempts=0,
            )
            session.add(row)
            outcome.new.append(row)
            continue
        worse = (
            SEVERITY_RANK[planned.severity]
            > SEVERITY_RANK[row.acknowledged_severity or row.severity]
        )
        if row.status == "resolved":
            row.status = "open"
            row.first_seen_version = version
            row.delivered_at = None
            outcome.new.append(row)
        elif row.status == "acknowledged" and worse:
            row.status = "open"
            row.delivered_at = None
            outcome.worsened.append(row)
        row.severity = planned.severity
        row.start, row.end = planned.start, planned.end
        row.message = planned.message
        row.worker_ref, row.session_id = planned.worker, planned.session
        row.last_seen_version = version
        row.updated_at = now
    for identity, row in stored.items():
        if identity in raised or row.status == "resolved":
            continue
        if scope_children is not None and row.child_ref not in scope_children:
            continue  # another team's alert: this plan says nothing about it
        row.status = "resolved"
        row.updated_at = now
        outcome.resolved.append(row)
    session.flush()
    outcome.to_deliver = list(
        session.scalars(select(Alert).where(Alert.delivered_at.is_(None), Alert.status == "open"))
    )
    return outcome


def acknowledge(session: Session, alert: Alert, *, actor: str, now: datetime) -> None:
    alert.status = "acknowledged"
    alert.acknowledged_severity = alert.severity
    alert.acknowledged_at = now
    alert.acknowledged_by = actor
    alert.updated_at = now

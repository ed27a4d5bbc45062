"""The stored alerts, open first by severity, or all of them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import alerts as alert_rules
from scheduler.models import Alert


def open_alerts(session: Session) -> list[Alert]:
    rows = session.scalars(select(Alert).where(Alert.status == "open"))
    return sorted(
        rows,
        key=lambda a: (
            -alert_rules.SEVERITY_RANK[a.severity],
            a.kind,
            a.child_ref or "",
            a.start,
            a.id,
        ),
    )


def all_alerts(session: Session) -> list[Alert]:
    return list(session.scalars(select(Alert).order_by(Alert.created_at, Alert.id)))

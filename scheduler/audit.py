"""The audit log: who did what, when."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import AuditEntry


def record(
    session: Session, /, *, actor: str, action: str, at: datetime, **detail: Any
) -> AuditEntry:
    """Add an entry in the caller's transaction, so it lands only if the action does."""
    entry = AuditEntry(
        at=at, actor=actor, action=action, detail=json.dumps(detail, sort_keys=True, default=str)
    )
    session.add(entry)
    return entry


def entries(session: Session, limit: int = 200) -> list[AuditEntry]:
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    return list(rows)

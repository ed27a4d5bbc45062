"""The audit log: who did what, when (by the wall clock), and as of when it was told.

``at`` is always the wall-clock time of the action. A command run with ``--as-of``
plans or exports as if it were another time; that time goes in ``as_of`` beside it,
never in its place (eight commits logged at 15:30 after an import at 16:04 once hid
the order things happened in).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import AuditEntry


def record(
    session: Session,
    /,
    *,
    actor: str,
    action: str,
    at: datetime,
    as_of: datetime | None = None,
    **detail: Any,
) -> AuditEntry:
    """Add an entry in the caller's transaction, so it lands only if the action does.

    ``at``: the wall-clock time; ``as_of``: the ``--as-of`` time, when it differs.
    """
    entry = AuditEntry(
        at=at,
        as_of=as_of if as_of != at else None,
        actor=actor,
        action=action,
        detail=json.dumps(detail, sort_keys=True, default=str),
    )
    session.add(entry)
    return entry


def wall_clock() -> datetime:
    """Now, by the system clock: for callers that were given no wall-clock time."""
    return datetime.now(UTC)


def entries(session: Session, limit: int = 200) -> list[AuditEntry]:
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    return list(rows)

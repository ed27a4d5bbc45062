"""Committing a proposal: it becomes the current plan in one transaction, so a crash or a
kill at any moment leaves either the old plan or the new one, never a mix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from scheduler import alerts as alert_rules
from scheduler import audit
from scheduler.db import Database
from scheduler.errors import PlanningFailed
from scheduler.models import PlanVersion, Worker
from scheduler.pipeline.proposal import Proposal
from scheduler.pipeline.request import AfterCommit
from scheduler.pipeline.write import write_allocations, write_history, write_sessions


@dataclass(frozen=True, slots=True)
class CommitResult:
    version: int
    stored: alert_rules.StoredAlerts


def commit(
    database: Database,
    proposal: Proposal,
    *,
    actor: str,
    now: datetime,
    after_commit: AfterCommit | None = None,
    recorded_at: datetime | None = None,
) -> CommitResult:
    """Make ``proposal`` the current plan, atomically; ``after_commit`` runs inside.

    ``now`` is the time planned as (``--as-of``); ``recorded_at`` the wall-clock time
    for the audit log (default: the system clock).
    """
    loaded = proposal.loaded
    with database.transaction() as session:
        current = session.scalar(
            select(PlanVersion).where(PlanVersion.is_current.is_(True)).with_for_update()
        )
        if (current.id if current else None) != loaded.current_version:
            raise PlanningFailed(
                "another plan was committed while this one was being made; run plan again"
            )
        version_id = (session.scalar(select(func.max(PlanVersion.id))) or 0) + 1
        if current is not None:
            current.is_current = False
        instance = proposal.instance
        version = PlanVersion(
            id=version_id,
            committed_at=now,
            committed_by=actor,
            as_of=instance.now,
            horizon_start=instance.horizon_start,
            horizon_end=instance.horizon_end,
            timezone=instance.timezone,
            teams=list(proposal.request.teams),
            metrics=proposal.metrics,
            is_current=True,
        )
        session.add(version)
        session.flush()
        worker_ids = dict(session.execute(select(Worker.ref, Worker.id)).tuples().all())
        write_allocations(session, proposal, version_id, worker_ids)
        write_history(session, proposal, version_id, worker_ids, now)
        write_sessions(session, proposal, version_id, worker_ids, now)
        scope_children = set(loaded.child_ids) if proposal.request.teams else None
        stored = alert_rules.store(
            session, proposal.alerts, version=version_id, now=now, scope_children=scope_children
        )
        audit.record(
            session,
            actor=actor,
            action="plan.commit",
            at=recorded_at or audit.wall_clock(),
            as_of=now,
            version=version_id,
            horizon=f"{instance.horizon_start}..{instance.horizon_end}",
            teams=list(proposal.request.teams),
            changes=len(proposal.changes),
            alerts=len(proposal.alerts),
        )
        if after_commit is not None:
            after_commit(session, now)
    return CommitResult(version=version_id, stored=stored)

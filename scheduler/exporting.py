"""The current committed plan as Plan JSON, read back from the store."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.errors import NotFound
from scheduler.models import Alert, Child, PlanAllocation, SupportPlan, Worker
from scheduler.models import Session as PlanSession
from scheduler.plan_json import spec_metrics
from scheduler.views import current_version


def period_start(plan: SupportPlan, day: date) -> date:
    """First day of the plan's period that contains ``day`` (periods are runs of ISO weeks)."""
    first_monday = plan.start_date - timedelta(days=plan.start_date.weekday())
    weeks = (day - first_monday).days // 7
    return first_monday + timedelta(weeks=weeks - weeks % plan.every_weeks)


def current_plan_json(session: Session) -> dict[str, Any]:
    version = current_version(session)
    if version is None:
        raise NotFound("committed plan", "current")
    zone = ZoneInfo(version.timezone)
    workers = dict(session.execute(select(Worker.id, Worker.ref)).tuples().all())
    children = dict(session.execute(select(Child.id, Child.ref)).tuples().all())
    allocations = list(
        session.scalars(select(PlanAllocation).where(PlanAllocation.plan_version_id == version.id))
    )
    planned_children = {a.child_id for a in allocations}
    cutoff: dict[int, date] = {}
    for plan in session.scalars(
        select(SupportPlan).where(SupportPlan.child_id.in_(planned_children))
    ):
        if plan.start_date <= version.horizon_start and (
            plan.end_date is None or plan.end_date >= version.horizon_start
        ):
            cutoff[plan.child_id] = period_start(plan, version.horizon_start)
    earliest = min(cutoff.values(), default=version.horizon_start)
    rows = session.scalars(
        select(PlanSession)
        .where(
            PlanSession.removed_in.is_(None),
            PlanSession.child_id.in_(planned_children),
            PlanSession.start >= datetime.combine(earliest, time(), zone),
            PlanSession.start
            < datetime.combine(version.horizon_end + timedelta(days=1), time(), zone),
        )
        .order_by(PlanSession.start, PlanSession.id)
    )
    sessions = []
    for s in rows:
        if s.start.astimezone(zone).date() < cutoff.get(s.child_id, version.horizon_start):
            continue
        sessions.append(
            {
                "id": s.id,
                "child": children[s.child_id],
                "worker": workers[s.worker_id],
                "with": workers[s.with_worker_id] if s.with_worker_id else None,
                "start": s.start.astimezone(zone).isoformat(),
                "end": s.end.astimezone(zone).isoformat(),
                "past": s.start < version.as_of,
                "locked": s.locked,
                "cover": s.cover,
            }
        )
    alerts = session.scalars(
        select(Alert)
        .where(Alert.last_seen_version == version.id, Alert.status != "resolved")
        .order_by(Alert.kind, Alert.child_ref, Alert.start, Alert.id)
    )
    return {
        "version": version.id,
        "committed": True,
        "horizon": {
            "start": version.horizon_start.isoformat(),
            "end": version.horizon_end.isoformat(),
            "timezone": version.timezone,
        },
        "as_of": version.as_of.isoformat(),
        "allocations": [
            {
                "child": children[a.child_id],
                "key_worker": workers[a.key_worker_id] if a.key_worker_id else None,
                "secondary_worker": (
                    workers[a.secondary_worker_id] if a.secondary_worker_id else None
                ),
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "since": a.since.isoformat() if a.since else None,
                "changed": a.changed,
                "reason": a.reason,
            }
            for a in sorted(allocations, key=lambda a: (a.start, children[a.child_id]))
        ],
        "sessions": sessions,
        "alerts": [
            {
                "id": a.id,
                "kind": a.kind,
                "severity": a.severity,
                "child": a.child_ref,
                "worker": a.worker_ref,
                "session": a.session_id,
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "message": a.message,
            }
            for a in alerts
        ],
        "metrics": spec_metrics(version.metrics),
    }

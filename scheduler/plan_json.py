"""The Plan JSON of SPEC "Plan JSON": one shape, built from a proposal or from the store.

``build`` turns a solution and its alerts into it (``plan --json``, ``whatif --json``);
``current_plan_json`` reads the current committed plan back from the store (``export
plan``, ``show plan --json``). Both assemble it with the record functions below, so the
two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.db import Database
from scheduler.models import Alert, Child, PlanAllocation, SupportPlan, Worker
from scheduler.models import Session as PlanSession
from scheduler.plan_views import current_version

if TYPE_CHECKING:  # OR-Tools is loaded only where a plan is solved
    import solver
    from scheduler.alerts import PlannedAlert

# SPEC "Plan JSON" metrics; the stored metrics may carry more (the continuity ceiling)
SPEC_METRICS = (
    "children",
    "allocated",
    "keyworker_changes",
    "sessions_required",
    "sessions_scheduled",
    "sessions_with_key_worker_pct",
    "solve_seconds",
)


def spec_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: metrics[k] for k in SPEC_METRICS if k in metrics}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def allocation_record(
    *,
    child: str,
    key_worker: str | None,
    secondary_worker: str | None,
    start: date,
    end: date,
    since: date | None,
    changed: bool,
    reason: str | None,
) -> dict[str, Any]:
    return {
        "child": child,
        "key_worker": key_worker,
        "secondary_worker": secondary_worker,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "since": _day(since),
        "changed": changed,
        "reason": reason,
    }


def session_record(
    *,
    id: str,
    child: str,
    worker: str,
    with_worker: str | None,
    start: datetime,
    end: datetime,
    past: bool,
    locked: bool,
    cover: bool,
) -> dict[str, Any]:
    return {
        "id": id,
        "child": child,
        "worker": worker,
        "with": with_worker,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "past": past,
        "locked": locked,
        "cover": cover,
    }


def alert_record(
    *,
    id: str,
    kind: str,
    severity: str,
    child: str | None,
    worker: str | None,
    session: str | None,
    start: date,
    end: date,
    message: str,
) -> dict[str, Any]:
    return {
        "id": id,
        "kind": kind,
        "severity": severity,
        "child": child,
        "worker": worker,
        "session": session,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "message": message,
    }


def document(
    *,
    version: int,
    committed: bool,
    horizon_start: date,
    horizon_end: date,
    timezone: str,
    as_of: datetime,
    allocations: Iterable[dict[str, Any]],
    sessions: Iterable[dict[str, Any]],
    alerts: Iterable[dict[str, Any]],
    metrics: dict[str, Any],
) -> dict[str, Any]:
    """The whole Plan JSON object from its records."""
    return {
        "version": version,
        "committed": committed,
        "horizon": {
            "start": horizon_start.isoformat(),
            "end": horizon_end.isoformat(),
            "timezone": timezone,
        },
        "as_of": as_of.isoformat(),
        "allocations": list(allocations),
        "sessions": list(sessions),
        "alerts": list(alerts),
        "metrics": spec_metrics(metrics),
    }


def build(
    *,
    version: int,
    committed: bool,
    instance: solver.Instance,
    solution: solver.Solution,
    alerts: list[PlannedAlert],
    metrics: dict[str, Any],
) -> dict[str, Any]:
    """The Plan JSON of a solved plan (a dry run, or the plan being committed)."""
    return document(
        version=version,
        committed=committed,
        horizon_start=instance.horizon_start,
        horizon_end=instance.horizon_end,
        timezone=instance.timezone,
        as_of=instance.now,
        allocations=(
            allocation_record(
                child=a.child,
                key_worker=a.key_worker,
                secondary_worker=a.secondary_worker,
                start=a.start,
                end=a.end,
                since=a.since,
                changed=a.changed,
                reason=a.reason,
            )
            for a in sorted(solution.allocations, key=lambda a: (a.start, a.child))
        ),
        sessions=(
            session_record(
                id=s.id,
                child=s.child,
                worker=s.worker,
                with_worker=s.with_worker,
                start=s.start,
                end=s.end,
                past=s.past,
                locked=s.locked,
                cover=s.cover,
            )
            for s in sorted(solution.sessions, key=lambda s: (s.start, s.child, s.id))
        ),
        alerts=(
            alert_record(
                id=a.id,
                kind=a.kind,
                severity=a.severity,
                child=a.child,
                worker=a.worker,
                session=a.session,
                start=a.start,
                end=a.end,
                message=a.message,
            )
            for a in alerts
        ),
        metrics=metrics,
    )


def period_start(plan: SupportPlan, day: date) -> date:
    """First day of the plan's period that contains ``day`` (periods are runs of ISO weeks)."""
    first_monday = plan.start_date - timedelta(days=plan.start_date.weekday())
    weeks = (day - first_monday).days // 7
    return first_monday + timedelta(weeks=weeks - weeks % plan.every_weeks)


def current_plan_json(session: Session) -> dict[str, Any] | None:
    """The current committed plan as Plan JSON, read back from the store; None before
    the first commit."""
    version = current_version(session)
    if version is None:
        return None
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
    ).all()
    alerts = session.scalars(
        select(Alert)
        .where(Alert.last_seen_version == version.id, Alert.status != "resolved")
        .order_by(Alert.kind, Alert.child_ref, Alert.start, Alert.id)
    ).all()
    return document(
        version=version.id,
        committed=True,
        horizon_start=version.horizon_start,
        horizon_end=version.horizon_end,
        timezone=version.timezone,
        as_of=version.as_of,
        allocations=(
            allocation_record(
                child=children[a.child_id],
                key_worker=workers[a.key_worker_id] if a.key_worker_id else None,
                secondary_worker=workers[a.secondary_worker_id] if a.secondary_worker_id else None,
                start=a.start,
                end=a.end,
                since=a.since,
                changed=a.changed,
                reason=a.reason,
            )
            for a in sorted(allocations, key=lambda a: (a.start, children[a.child_id]))
        ),
        sessions=(
            session_record(
                id=s.id,
                child=children[s.child_id],
                worker=workers[s.worker_id],
                with_worker=workers[s.with_worker_id] if s.with_worker_id else None,
                start=s.start.astimezone(zone),
                end=s.end.astimezone(zone),
                past=s.start < version.as_of,
                locked=s.locked,
                cover=s.cover,
            )
            for s in rows
            if s.start.astimezone(zone).date() >= cutoff.get(s.child_id, version.horizon_start)
        ),
        alerts=(
            alert_record(
                id=a.id,
                kind=a.kind,
                severity=a.severity,
                child=a.child_ref,
                worker=a.worker_ref,
                session=a.session_id,
                start=a.start,
                end=a.end,
                message=a.message,
            )
            for a in alerts
        ),
        metrics=version.metrics,
    )


def current_plan(database: Database) -> dict[str, Any] | None:
    """The current committed plan as Plan JSON; None before the first commit."""
    with database.reading() as session:
        return current_plan_json(session)

"""Reading the stored rows the report needs, once, into plain records."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.models import Alert, Child, KeyWorkerHistory, PlanVersion, SupportPlan, Worker
from scheduler.models import Session as PlanSession
from scheduler.outcomes import load_outcomes, unplanned_minutes
from scheduler.report.records import (
    AlertRecord,
    ChildRecord,
    History,
    KeyRecord,
    PlanRecord,
    SessionRecord,
    WorkerRecord,
)


def load_history(session: Session, since: datetime) -> History:
    """Workers, children, plans, key-worker rows, and the sessions from ``since`` on."""
    workers = tuple(
        WorkerRecord(w.id, w.ref, w.name, w.team, w.gender, w.hours_per_week, w.start_date,
                     w.end_date)
        for w in session.scalars(select(Worker).order_by(Worker.team, Worker.ref))
    )  # fmt: skip
    children = tuple(
        ChildRecord(c.id, c.ref, c.team, c.risk, tuple(c.preferred_workers or ()),
                    c.preferred_gender)
        for c in session.scalars(select(Child).order_by(Child.team, Child.ref))
    )  # fmt: skip
    stored_plans = list(session.scalars(select(SupportPlan).order_by(SupportPlan.start_date)))
    plans = tuple(
        PlanRecord(p.child_id, p.start_date, p.end_date, p.max_gap_days, p.sessions,
                   p.every_weeks)
        for p in stored_plans
    )  # fmt: skip
    key_rows = tuple(
        KeyRecord(h.id, h.child_id, h.worker_id, h.start_date, h.end_date)
        for h in session.scalars(
            select(KeyWorkerHistory)
            .where(KeyWorkerHistory.role == "key")
            .order_by(KeyWorkerHistory.start_date, KeyWorkerHistory.id)
        )
    )
    outcomes = load_outcomes(session, since=since)
    records: list[SessionRecord] = []
    for s in session.scalars(
        select(PlanSession)
        .where(PlanSession.removed_in.is_(None), PlanSession.start >= since)
        .order_by(PlanSession.start, PlanSession.id)
    ):
        found = outcomes.pop((s.child_id, s.start), None)
        worker_id = found.worker_id if found and found.worker_id else s.worker_id
        with_id = None if s.with_worker_id == worker_id else s.with_worker_id
        records.append(SessionRecord(s.child_id, worker_id, with_id, s.start, s.end,
                                     found.outcome if found else None))  # fmt: skip
    by_child: dict[int, list[SupportPlan]] = defaultdict(list)
    for p in stored_plans:
        by_child[p.child_id].append(p)
    for (child_id, start), found in outcomes.items():  # sessions in no plan
        if found.worker_id is None or found.session_id is not None:
            continue
        minutes = unplanned_minutes(by_child[child_id], start.date())
        end = start + timedelta(minutes=minutes)
        records.append(SessionRecord(child_id, found.worker_id, None, start, end, found.outcome))
    records.sort(key=lambda r: r.start)
    first_horizon = session.scalar(select(func.min(PlanVersion.horizon_start)))
    first_session = session.scalar(
        select(func.min(PlanSession.start)).where(PlanSession.removed_in.is_(None))
    )
    first_record = min((r.start for r in records), default=None)
    starts = [
        d.date() if isinstance(d, datetime) else d
        for d in (first_horizon, first_session, first_record)
        if d is not None
    ]
    current = session.scalar(select(PlanVersion).where(PlanVersion.is_current.is_(True)))
    horizon = (current.horizon_start, current.horizon_end) if current is not None else None
    alerts = tuple(
        AlertRecord(a.id, a.kind, a.severity, a.child_ref, a.worker_ref)
        for a in session.scalars(select(Alert).where(Alert.status == "open").order_by(Alert.id))
    )
    return History(workers, children, plans, key_rows, tuple(records), min(starts, default=None),
                   horizon, alerts)  # fmt: skip

"""The key-worker history a re-plan starts from: who held each child when, since
when, the current plan's allocations and the last contact with the key worker."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

import solver
from scheduler.models import (
    KeyWorkerHistory,
    PlanAllocation,
    PlanVersion,
)
from scheduler.models import Session as PlanSession
from scheduler.outcomes import Outcome


def key_worker_history(session: Session, child_ids: list[int]) -> dict[int, list[KeyWorkerHistory]]:
    out: dict[int, list[KeyWorkerHistory]] = defaultdict(list)
    if not child_ids:
        return out
    rows = session.scalars(
        select(KeyWorkerHistory)
        .where(KeyWorkerHistory.child_id.in_(child_ids))
        .order_by(KeyWorkerHistory.start_date, KeyWorkerHistory.id)
    )
    for row in rows:
        out[row.child_id].append(row)
    return out


def row_on(rows: list[KeyWorkerHistory], day: date) -> KeyWorkerHistory | None:
    """The relationship in force on ``day``; else the latest one that began before it."""
    covering = [
        r for r in rows if r.start_date <= day and (r.end_date is None or r.end_date >= day)
    ]
    if covering:
        return covering[-1]
    open_rows = [r for r in rows if r.end_date is None]
    return open_rows[-1] if open_rows else None


def since(rows: list[KeyWorkerHistory], current: KeyWorkerHistory | None) -> date | None:
    """When the current relationship began, joining back-to-back rows with the same worker."""
    if current is None:
        return None
    since = current.start_date
    for row in sorted(rows, key=lambda r: r.start_date, reverse=True):
        if row.worker_id != current.worker_id or row.start_date > since:
            continue
        if row.end_date is None or row.end_date >= since - timedelta(days=1):
            since = min(since, row.start_date)
    return since


def plan_allocations(
    session: Session,
    version: PlanVersion | None,
    child_refs: dict[int, str],
    worker_refs: dict[int, str],
) -> list[solver.CurrentAllocation]:
    if version is None:
        return []
    rows = session.scalars(
        select(PlanAllocation)
        .where(PlanAllocation.plan_version_id == version.id)
        .order_by(PlanAllocation.child_id, PlanAllocation.start)
    )
    return [
        solver.CurrentAllocation(
            child=child_refs[a.child_id],
            key_worker=worker_refs.get(a.key_worker_id) if a.key_worker_id else None,
            secondary_worker=(
                worker_refs.get(a.secondary_worker_id) if a.secondary_worker_id else None
            ),
            start=a.start,
            end=a.end,
        )
        for a in rows
        if a.child_id in child_refs
    ]


def committed_on(committed: dict[tuple[str, date], str], child: str, day: date) -> str | None:
    """The key worker the current plan gives ``child`` on ``day`` (or its last one before)."""
    best: tuple[date, str] | None = None
    for (ref, start), worker in committed.items():
        if ref == child and start <= day and (best is None or start > best[0]):
            best = (start, worker)
    return best[1] if best else None


def last_key_contacts(
    session: Session,
    history: dict[int, list[KeyWorkerHistory]],
    now: datetime,
    zone: ZoneInfo,
    worker_refs: dict[int, str],
    *,
    outcomes: dict[tuple[int, datetime], Outcome],
) -> dict[int, date]:
    """child id -> local date of the last session before ``now`` with their key worker:
    held contact only (a session recorded cancelled or did-not-attend is none), sessions
    held in no plan (before go-live) included."""
    if not history:
        return {}
    rows = session.execute(
        select(PlanSession.child_id, PlanSession.worker_id, PlanSession.with_worker_id,
               PlanSession.start)
        .where(
            PlanSession.removed_in.is_(None),
            PlanSession.start < now,
            PlanSession.child_id.in_(list(history)),
            or_(PlanSession.worker_id.is_not(None), PlanSession.with_worker_id.is_not(None)),
        )
        .order_by(PlanSession.start)
    ).tuples().all()  # fmt: skip
    held: list[tuple[int, int, int | None, datetime]] = []
    seen: set[tuple[int, datetime]] = set()
    for child_id, worker_id, with_id, start in rows:
        seen.add((child_id, start))
        outcome = outcomes.get((child_id, start))
        if outcome is not None and not outcome.is_contact:
            continue
        held.append((child_id, outcome.worker_id or worker_id if outcome else worker_id,
                     with_id, start))  # fmt: skip
    for (child_id, start), outcome in outcomes.items():
        if (
            (child_id, start) not in seen
            and outcome.is_contact
            and outcome.worker_id is not None
            and child_id in history
        ):
            held.append((child_id, outcome.worker_id, None, start))
    out: dict[int, date] = {}
    for child_id, worker_id, with_id, start in sorted(held, key=lambda h: h[3]):
        day = start.astimezone(zone).date()
        keys = [h for h in history[child_id] if h.role == "key"]
        key = row_on(keys, day)
        if key is not None and key.worker_id in (worker_id, with_id):
            out[child_id] = day
    return out

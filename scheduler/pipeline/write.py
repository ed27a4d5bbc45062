"""Writing a committed plan's rows: allocations, the key-worker history, the sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

import solver
from scheduler.models import KeyWorkerHistory, PlanAllocation
from scheduler.models import Session as PlanSession
from scheduler.pipeline.proposal import Proposal


def write_allocations(
    session: Session, proposal: Proposal, version_id: int, worker_ids: dict[str, int]
) -> None:
    child_ids = proposal.loaded.child_ids
    session.add_all(
        PlanAllocation(
            plan_version_id=version_id,
            child_id=child_ids[a.child],
            key_worker_id=worker_ids[a.key_worker] if a.key_worker else None,
            secondary_worker_id=worker_ids[a.secondary_worker] if a.secondary_worker else None,
            start=a.start,
            end=a.end,
            since=a.since,
            changed=a.changed,
            reason=a.reason,
        )
        for a in proposal.solution.allocations
    )


def write_history(
    session: Session,
    proposal: Proposal,
    version_id: int,
    worker_ids: dict[str, int],
    now: datetime,
) -> None:
    """Record each key/secondary relationship the plan starts; end the one it replaces."""
    child_ids = proposal.loaded.child_ids
    by_child: dict[str, list[solver.Allocation]] = {}
    for a in proposal.solution.allocations:
        by_child.setdefault(a.child, []).append(a)
    if not by_child:
        return
    rows = list(
        session.scalars(
            select(KeyWorkerHistory)
            .where(KeyWorkerHistory.child_id.in_([child_ids[c] for c in by_child]))
            .order_by(KeyWorkerHistory.start_date, KeyWorkerHistory.id)
        )
    )
    # grouped once: scanning every row for every child took 6 s at 3,000 children
    grouped: dict[tuple[int, str], list[KeyWorkerHistory]] = {}
    for r in rows:
        grouped.setdefault((r.child_id, r.role), []).append(r)
    for child, allocations in by_child.items():
        child_id = child_ids[child]
        for role in ("key", "secondary"):
            history = grouped.get((child_id, role), [])
            for a in sorted(allocations, key=lambda a: a.start):
                ref = a.key_worker if role == "key" else a.secondary_worker
                if ref is None:
                    continue
                worker_id = worker_ids[ref]
                live = [
                    r
                    for r in history
                    if r.start_date <= a.start and (r.end_date is None or r.end_date >= a.start)
                ]
                if live and live[-1].worker_id == worker_id:
                    _keep_going(
                        session,
                        history,
                        live[-1],
                        a,
                        allocations=allocations,
                        role=role,
                        worker_ids=worker_ids,
                    )
                    continue
                later = [r for r in history if r.start_date > a.start]
                for r in later:  # a relationship the new plan no longer foresees
                    session.delete(r)
                    history.remove(r)
                for r in live:
                    if r.start_date == a.start:
                        session.delete(r)
                        history.remove(r)
                    else:
                        r.end_date = a.start.fromordinal(a.start.toordinal() - 1)
                row = KeyWorkerHistory(
                    child_id=child_id,
                    worker_id=worker_id,
                    role=role,
                    start_date=a.start,
                    end_date=None,
                    reason=a.reason if role == "key" and a.changed else None,
                    source="plan",
                    plan_version_id=version_id,
                    recorded_at=now,
                )
                session.add(row)
                history.append(row)


def _keep_going(
    session: Session,
    history: list[KeyWorkerHistory],
    row: KeyWorkerHistory,
    allocation: solver.Allocation,
    *,
    allocations: list[solver.Allocation],
    role: str,
    worker_ids: dict[str, int],
) -> None:
    """The relationship ``row`` goes on through ``allocation``: a change that an earlier
    plan foresaw after its start and this plan no longer makes is dropped, and ``row`` is
    reopened if the earlier plan had ended it sooner (a pin, or a leaver who stays)."""
    planned = {
        (worker_ids[ref], x.start)
        for x in allocations
        if (ref := x.key_worker if role == "key" else x.secondary_worker) is not None
    }
    for later in [r for r in history if r.start_date > allocation.start]:
        if (later.worker_id, later.start_date) not in planned:
            session.delete(later)
            history.remove(later)
    if row.end_date is not None and row.end_date < allocation.end:
        row.end_date = None


def write_sessions(
    session: Session,
    proposal: Proposal,
    version_id: int,
    worker_ids: dict[str, int],
    now: datetime,
) -> None:
    """Upsert the plan's sessions; raise SEQUENCE on each real change; retire the rest."""
    child_ids = proposal.loaded.child_ids
    existing = {
        s.id: s
        for s in session.scalars(
            select(PlanSession).where(PlanSession.child_id.in_(list(child_ids.values())))
        )
    }
    planned_ids: set[str] = set()
    # new sessions go in as one executemany, not as ORM objects: a first plan at la
    # size has over ten thousand, and an object each took seconds to build and flush
    fresh: list[dict[str, object]] = []
    for s in proposal.solution.sessions:
        planned_ids.add(s.id)
        worker_id = worker_ids[s.worker]
        with_id = worker_ids[s.with_worker] if s.with_worker else None
        row = existing.get(s.id)
        if row is None:
            fresh.append(
                {
                    "id": s.id,
                    "child_id": child_ids[s.child],
                    "worker_id": worker_id,
                    "with_worker_id": with_id,
                    "start": s.start,
                    "end": s.end,
                    "cover": s.cover,
                    "locked": s.locked,
                    "sequence": 0,
                    "created_in": version_id,
                    "updated_in": version_id,
                    "updated_at": now,
                }
            )
            continue
        moved = (row.start, row.end, row.worker_id, row.with_worker_id, row.removed_in) != (
            s.start,
            s.end,
            worker_id,
            with_id,
            None,
        )
        if moved or row.cover != s.cover:
            row.sequence += 1
            row.updated_in = version_id
            row.updated_at = now
        row.start, row.end = s.start, s.end
        row.worker_id, row.with_worker_id = worker_id, with_id
        row.cover, row.locked = s.cover, s.locked
        row.removed_in = None
    gone = [
        row.id
        for row in existing.values()
        if row.id not in planned_ids and row.removed_in is None and row.start >= now
    ]
    if gone:
        session.execute(
            update(PlanSession)
            .where(PlanSession.id.in_(gone))
            .values(
                removed_in=version_id,
                sequence=PlanSession.sequence + 1,
                updated_in=version_id,
                updated_at=now,
            )
        )
    if fresh:
        session.execute(insert(PlanSession), fresh)

"""Manager overrides: pin a child's key worker, lock a session. Each is audited."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.errors import NotFound, RefusedAction
from scheduler.models import Child, Worker
from scheduler.models import Session as PlanSession
from scheduler.views import current_key_workers


def _child(session: Session, ref: str) -> Child:
    child = session.scalar(select(Child).where(Child.ref == ref))
    if child is None:
        raise NotFound("child", ref)
    return child


def _worker(session: Session, ref: str) -> Worker:
    worker = session.scalar(select(Worker).where(Worker.ref == ref))
    if worker is None:
        raise NotFound("worker", ref)
    return worker


def rule3_problems(child: Child, worker: Worker) -> list[str]:
    """Why ``worker`` may not be ``child``'s key worker under SPEC rule 3 (empty: may)."""
    problems = []
    missing = sorted(set(child.required_skills) - set(worker.skills))
    if missing:
        problems.append(f"{worker.ref} lacks the skill(s) {', '.join(missing)}")
    if child.language and child.language not in worker.languages:
        problems.append(f"{worker.ref} does not speak {child.language}")
    if worker.ref in child.excluded_workers:
        problems.append(f"{worker.ref} is in {child.ref}'s excluded workers")
    if worker.team != child.team:
        problems.append(f"{worker.ref} is in team {worker.team}, not {child.team}")
    return problems


def pin(
    session: Session, child_ref: str, worker_ref: str, *, actor: str, now: datetime, today: date
) -> None:
    child = _child(session, child_ref)
    worker = _worker(session, worker_ref)
    problems = rule3_problems(child, worker)
    if worker.end_date is not None and worker.end_date < today:
        problems.append(f"{worker.ref} left on {worker.end_date}")
    keyed = current_key_workers(session, today)
    pinned_elsewhere = session.scalars(
        select(Child.id).where(Child.pinned_worker_id == worker.id, Child.id != child.id)
    ).all()
    caseload = len(
        {cid for cid, wid in keyed.items() if wid == worker.id and cid != child.id}
        | set(pinned_elsewhere)
    )
    if caseload >= worker.max_caseload:
        problems.append(
            f"{worker.ref} is at their maximum caseload ({caseload}/{worker.max_caseload})"
        )
    if problems:
        raise RefusedAction(f"cannot pin {child.ref} to {worker.ref}: " + "; ".join(problems))
    child.pinned_worker_id = worker.id
    audit.record(session, actor=actor, action="pin", at=now, child=child.ref, worker=worker.ref)


def unpin(session: Session, child_ref: str, *, actor: str, now: datetime) -> None:
    child = _child(session, child_ref)
    if child.pinned_worker_id is None:
        raise RefusedAction(f"{child.ref} is not pinned")
    child.pinned_worker_id = None
    audit.record(session, actor=actor, action="unpin", at=now, child=child.ref)


def set_lock(
    session: Session, session_id: str, locked: bool, *, actor: str, now: datetime
) -> PlanSession:
    row = session.get(PlanSession, session_id)
    if row is None or row.removed_in is not None:
        raise NotFound("session in the current plan", session_id)
    if row.locked == locked:
        raise RefusedAction(f"session {session_id} is already {'locked' if locked else 'unlocked'}")
    row.locked = locked
    audit.record(
        session, actor=actor, action="lock" if locked else "unlock", at=now, session=session_id
    )
    return row

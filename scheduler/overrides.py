"""Manager overrides: pin a child's key worker, lock a session. Each is audited."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.errors import NotFound, RefusedAction
from scheduler.models import Child, KeyWorkerHistory, PlanAllocation, PlanVersion, Worker
from scheduler.models import Session as PlanSession
from scheduler.plan_views import current_version
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
    session: Session,
    child_ref: str,
    worker_ref: str,
    *,
    actor: str,
    now: datetime,
    today: date,
    from_day: date | None = None,
) -> None:
    """Pin ``child`` to ``worker``, at once or from ``from_day`` (the change then happens
    on that day, with a joint handover before it where both are available)."""
    child = _child(session, child_ref)
    worker = _worker(session, worker_ref)
    if from_day is not None and from_day <= today:
        raise RefusedAction(
            f"cannot pin {child.ref} to {worker.ref} from {from_day}: that day has begun; "
            "leave out --from to pin at once"
        )
    takes_over = from_day or today
    problems = rule3_problems(child, worker)
    if worker.end_date is not None and worker.end_date < takes_over:
        problems.append(f"{worker.ref} leaves on {worker.end_date}, before {takes_over}")
    full = _full_problem(session, child, worker, takes_over)
    if full:
        problems.append(full)
    if problems:
        raise RefusedAction(f"cannot pin {child.ref} to {worker.ref}: " + "; ".join(problems))
    child.pinned_worker_id = worker.id
    child.pinned_from = from_day
    audit.record(
        session,
        actor=actor,
        action="pin",
        at=now,
        child=child.ref,
        worker=worker.ref,
        takes_over=from_day.isoformat() if from_day else None,
    )


def _full_problem(session: Session, child: Child, worker: Worker, today: date) -> str | None:
    """Rule 7 for a pin: why ``worker`` has no room for ``child`` (None: room).

    Rule 7 is per day, so this counts per day over what is left of the current plan
    (from today): the children the plan gives ``worker``, plus the children pinned to
    them, less ``child``. The pin is refused if the worker is full on ANY of those days,
    not only on all of them: a pin holds from the next plan until unpinned, and on a full
    day it could be honoured only by breaking rule 7 or by taking another child's key
    worker away, which is the manager's call to make, not the pin's side effect.
    Without a plan in force from today, the case record's relationships today count.
    """
    pins = dict(
        session.execute(
            select(Child.id, Child.pinned_worker_id).where(Child.pinned_worker_id.is_not(None))
        )
        .tuples()
        .all()
    )
    pinned_here = {c for c, w in pins.items() if w == worker.id}
    held, planned = _held_by_day(session, worker, today)
    counts: dict[date, int] = {}
    for day, children in held.items():
        # A child pinned to someone else goes to them, whatever the plan says now.
        kept = {c for c in children if pins.get(c, worker.id) == worker.id}
        counts[day] = len((kept | pinned_here) - {child.id})
    full = sorted(day for day, n in counts.items() if n >= worker.max_caseload)
    if not full:
        return None
    most = max(counts[day] for day in full)
    limit = f"their max_caseload of {worker.max_caseload}"
    if not planned:  # no plan in force: the case record today
        return f"{worker.ref} is full: key worker for {most} other child(ren), {limit}"
    when = "every remaining day" if len(full) == len(held) else f"{len(full)} remaining days"
    return (
        f"{worker.ref} is full: key worker for {most} other child(ren), {limit}, on {when} "
        f"of the current plan ({full[0].isoformat()} to {full[-1].isoformat()})"
    )


def _held_by_day(
    session: Session, worker: Worker, today: date
) -> tuple[dict[date, set[int]], bool]:
    """child ids whose key worker is ``worker``, on each remaining day of the current plan
    (and True), or today by the case record where no plan is in force (and False).

    A child's key worker on a day is the plan's, except where an import changed the case
    record after the plan (that value wins over the plan, SPEC "Import rules") or the
    child is new since the plan: there the case record's relationship counts.
    """
    version = current_version(session)
    first = today if version is None else max(today, version.horizon_start)
    if version is None or first > version.horizon_end or _other_teams(version, worker):
        keyed = current_key_workers(session, today)
        return {today: {c for c, w in keyed.items() if w == worker.id}}, False
    days = [first + timedelta(days=i) for i in range((version.horizon_end - first).days + 1)]
    alloc = PlanAllocation
    history = KeyWorkerHistory
    live = history.end_date.is_(None) | (history.end_date >= first)
    relevant = set(
        session.scalars(
            select(alloc.child_id).where(
                alloc.plan_version_id == version.id, alloc.key_worker_id == worker.id
            )
        )
    ) | set(
        session.scalars(
            select(history.child_id).where(
                history.role == "key", history.worker_id == worker.id, live
            )
        )
    )
    held: dict[date, set[int]] = {day: set() for day in days}
    if not relevant:
        return held, True
    planned: dict[int, list[tuple[date, date, int | None]]] = defaultdict(list)
    for child_id, key_id, start, end in session.execute(
        select(alloc.child_id, alloc.key_worker_id, alloc.start, alloc.end).where(
            alloc.plan_version_id == version.id, alloc.child_id.in_(relevant)
        )
    ).tuples():
        planned[child_id].append((start, end, key_id))
    recorded: dict[int, list[KeyWorkerHistory]] = defaultdict(list)
    for row in session.scalars(
        select(history)
        .where(history.role == "key", history.child_id.in_(relevant), live)
        .order_by(history.start_date, history.id)
    ):
        recorded[row.child_id].append(row)
    for child_id in relevant:
        for day in days:
            if _key_on(planned[child_id], recorded[child_id], day) == worker.id:
                held[day].add(child_id)
    return held, True


def _key_on(
    planned: list[tuple[date, date, int | None]], recorded: list[KeyWorkerHistory], day: date
) -> int | None:
    """One child's key worker on ``day``: the plan's, unless the case record now wins."""
    plan_key = next((key for start, end, key in planned if start <= day <= end), None)
    live = [h for h in recorded if h.start_date <= day and (h.end_date or day) >= day]
    record = live[-1] if live else None
    if record is None or record.source != "import":
        return plan_key
    # New since the plan, or the case record changed after it (the plan would agree).
    if not planned or (plan_key is not None and plan_key != record.worker_id):
        return record.worker_id
    return plan_key


def _other_teams(version: PlanVersion, worker: Worker) -> bool:
    """A plan committed for some teams only says nothing of this worker's team."""
    return bool(version.teams) and worker.team not in version.teams


def unpin(session: Session, child_ref: str, *, actor: str, now: datetime) -> None:
    child = _child(session, child_ref)
    if child.pinned_worker_id is None:
        raise RefusedAction(f"{child.ref} is not pinned")
    child.pinned_worker_id = None
    child.pinned_from = None
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

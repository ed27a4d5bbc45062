"""What happened to sessions: ``held``, ``cancelled`` or ``did-not-attend``.

An outcome is keyed by child and start, so one record serves a session of a committed
plan and a session held before go-live or planned elsewhere (no session row). Past
contact is held contact:

* a past session with outcome ``cancelled`` or ``did-not-attend`` is no contact: it
  does not count towards its period and does not close a ``CONTACT_GAP``; the next
  plan sees the gap (nothing is freed retroactively);
* a past session ``held`` by someone other than the planned worker counts as a
  session with that worker;
* a past session of a committed plan with **no outcome recorded** counts as held by
  its planned worker, as before outcomes existed: teams that do not record outcomes
  get the plans they had, and the report says how many delivered sessions are
  unconfirmed;
* a ``held`` session in no plan (before go-live) counts as a session with the worker
  recorded for it, so it feeds the last key-worker contact and its period's count.

``record`` and the ``sessions.csv`` import both write through :func:`upsert`, and are
audited; recording what happened to a session that has not started yet is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.errors import NotFound, RefusedAction
from scheduler.models import Child, SessionOutcome, SupportPlan, Worker
from scheduler.models import Session as PlanSession

OUTCOMES = ("held", "cancelled", "did-not-attend")
NO_CONTACT = frozenset({"cancelled", "did-not-attend"})
DEFAULT_MINUTES = 60  # a session in no plan, on a day no support plan is in force


@dataclass(frozen=True, slots=True)
class Outcome:
    """One stored outcome as plain data (no ORM object leaves this module's readers)."""

    child_id: int
    start: datetime
    outcome: str
    worker_id: int | None
    session_id: str | None

    @property
    def is_contact(self) -> bool:
        return self.outcome not in NO_CONTACT


def load_outcomes(
    session: Session,
    *,
    child_ids: Iterable[int] | None = None,
    before: datetime | None = None,
    since: datetime | None = None,
) -> dict[tuple[int, datetime], Outcome]:
    """(child id, start in UTC) -> outcome, optionally narrowed by child and start."""
    query = select(
        SessionOutcome.child_id,
        SessionOutcome.start,
        SessionOutcome.outcome,
        SessionOutcome.worker_id,
        SessionOutcome.session_id,
    )
    if child_ids is not None:
        query = query.where(SessionOutcome.child_id.in_(list(child_ids)))
    if before is not None:
        query = query.where(SessionOutcome.start < before)
    if since is not None:
        query = query.where(SessionOutcome.start >= since)
    out: dict[tuple[int, datetime], Outcome] = {}
    for child_id, start, outcome, worker_id, session_id in session.execute(query).tuples():
        out[(child_id, start)] = Outcome(child_id, start, outcome, worker_id, session_id)
    return out


def held_session_id(child_ref: str, start: datetime) -> str:
    """The stable session id of a session held in no plan (before go-live)."""
    key = f"{child_ref}|{start.astimezone(ZoneInfo('UTC')).isoformat()}"
    return "held-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def unplanned_minutes(plans: Iterable[SupportPlan], day: date) -> int:
    """How long a session in no plan lasted: its support plan's ``session_minutes``."""
    for plan in plans:
        if plan.start_date <= day and (plan.end_date is None or day <= plan.end_date):
            return plan.session_minutes
    return DEFAULT_MINUTES


@dataclass(frozen=True, slots=True)
class Written:
    """What :func:`upsert` did: ``created``, ``updated`` or ``unchanged``; and before."""

    change: str
    before: str | None


def upsert(
    session: Session,
    *,
    child_id: int,
    start: datetime,
    session_id: str | None,
    outcome: str,
    worker_id: int | None,
    note: str | None,
    source: str,
    actor: str,
    now: datetime,
) -> Written:
    """Store the outcome of the child's session at ``start``; re-recording the same
    outcome, worker and note changes nothing."""
    row = session.scalar(
        select(SessionOutcome).where(
            SessionOutcome.child_id == child_id, SessionOutcome.start == start
        )
    )
    if row is None:
        session.add(
            SessionOutcome(
                child_id=child_id,
                start=start,
                session_id=session_id,
                outcome=outcome,
                worker_id=worker_id,
                note=note,
                source=source,
                recorded_at=now,
                recorded_by=actor,
            )
        )
        _changed_in_feeds(session, session_id, now)
        return Written("created", None)
    if (row.outcome, row.worker_id, row.note) == (outcome, worker_id, note):
        # The session id is looked up, not given: a session held before go-live that a
        # commit has since taken into the plan gains one, and nothing else changed.
        row.session_id = session_id or row.session_id
        return Written("unchanged", row.outcome)
    before = row.outcome
    row.outcome, row.worker_id, row.note = outcome, worker_id, note
    row.session_id = session_id or row.session_id
    row.source, row.recorded_at, row.recorded_by = source, now, actor
    _changed_in_feeds(session, row.session_id, now)
    return Written("updated", before)


def _changed_in_feeds(session: Session, session_id: str | None, now: datetime) -> None:
    """A session's event changes with its outcome (a cancelled one is struck through):
    raise its SEQUENCE so that subscribed calendars take the change (RFC 5545)."""
    if session_id is None:
        return
    row = session.get(PlanSession, session_id)
    if row is not None:
        row.sequence += 1
        row.updated_at = now


class NotYetHappened(RefusedAction):
    """Raised when an outcome is recorded for a session that has not started yet."""

    def __init__(self, session_id: str, start: datetime, now: datetime, zone: ZoneInfo) -> None:
        self.session_id = session_id
        super().__init__(
            f"session {session_id} starts {start.astimezone(zone):%Y-%m-%d %H:%M}, after now "
            f"({now.astimezone(zone):%Y-%m-%d %H:%M}); record what happened once it has begun"
        )


@dataclass(frozen=True, slots=True)
class Recorded:
    session_id: str
    child: str
    planned_worker: str
    start: datetime
    outcome: str
    worker: str | None
    written: Written


def record_outcome(
    session: Session,
    session_id: str,
    outcome: str,
    *,
    worker: str | None,
    note: str | None,
    actor: str,
    now: datetime,
    at: datetime,
    zone: ZoneInfo,
) -> Recorded:
    """``keyworker record``: what happened to a session of a committed plan; audited.

    ``now`` is the time the session must have begun by (``--as-of``); ``at`` the wall
    clock the record and its audit entry carry."""
    if outcome not in OUTCOMES:
        raise RefusedAction(f"outcome {outcome!r} must be one of {', '.join(OUTCOMES)}")
    row = session.get(PlanSession, session_id)
    if row is None:
        raise NotFound("session", session_id)
    if row.removed_in is not None:
        raise RefusedAction(
            f"session {session_id} was removed from the plan in version {row.removed_in}; "
            "it did not take place"
        )
    if row.start >= now:
        raise NotYetHappened(session_id, row.start, now, zone)
    worker_id: int | None = None
    if worker is not None:
        found = session.scalar(select(Worker.id).where(Worker.ref == worker))
        if found is None:
            raise NotFound("worker", worker)
        if outcome != "held":
            raise RefusedAction("--by names who held a session; it is only for 'held'")
        worker_id = found
    child = session.get(Child, row.child_id)
    assert child is not None, "a session's child is kept while the session is"
    written = upsert(
        session,
        child_id=row.child_id,
        start=row.start,
        session_id=row.id,
        outcome=outcome,
        worker_id=worker_id,
        note=note,
        source="record",
        actor=actor,
        now=at,
    )
    if written.change != "unchanged":
        audit.record(
            session,
            actor=actor,
            action="session.record",
            at=at,
            as_of=now if now != at else None,
            session=session_id,
            child=child.ref,
            outcome=outcome,
            before=written.before,
            worker=worker,
            note=note,
        )
    return Recorded(session_id, child.ref, row.worker.ref, row.start, outcome, worker, written)


def session_end(start: datetime, minutes: int) -> datetime:
    return start + timedelta(minutes=minutes)

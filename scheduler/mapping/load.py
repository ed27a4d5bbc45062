"""``load_instance``: everything the solver sees for one scope, read in one pass."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

import solver
from scheduler.closures import ClosedSpan, closed_spans
from scheduler.mapping.history import (
    committed_on,
    key_worker_history,
    last_key_contacts,
    plan_allocations,
    row_on,
    since,
)
from scheduler.mapping.rows import solver_child, solver_plan, solver_windows
from scheduler.models import (
    Child,
    KeyWorkerHistory,
    PlanVersion,
    Worker,
)
from scheduler.models import Session as PlanSession
from scheduler.outcomes import Outcome, held_session_id, load_outcomes, unplanned_minutes
from scheduler.plan_views import current_version

# The longest period (8 weeks) reaches this far before the horizon; held sessions in
# periods that overlap the horizon count towards them.
HISTORY_REACH = timedelta(weeks=8)


# Closures are read this far around the horizon: the whole of its first and last ISO
# weeks, whose capacity (rule 6) they reduce.
CLOSURE_MARGIN = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Scope:
    """What one planning run covers."""

    now: datetime
    start: date
    weeks: int
    timezone: str
    freeze_hours: int
    teams: tuple[str, ...] = ()  # empty: every team
    bank_holidays: str | None = None  # the region whose bank holidays close every team


@dataclass(frozen=True, slots=True)
class Loaded:
    """The solver instance plus the stored facts the pipeline needs around it."""

    instance: solver.Instance
    current_version: int | None
    child_ids: dict[str, int]
    worker_ids: dict[str, int]
    # (child ref, worker ref, start date) of key-worker changes already committed.
    committed_changes: frozenset[tuple[str, str, date]]
    stored_sessions: dict[str, PlanSession]
    # child ref -> key worker the current committed plan gives them on the horizon start,
    # where that differs from the relationship record (changed in the case record).
    overridden: dict[str, tuple[str, str]]
    # closure days around the horizon (closures.csv, bank holidays), as shown to managers
    closures: tuple[ClosedSpan, ...] = ()
    # The first day keyworker planned: the local date of the first committed plan's
    # as-of (of this run's, before any commit). Days before it nobody could have planned.
    go_live: date | None = None


def load_instance(session: Session, scope: Scope) -> Loaded:
    """Read the scope's workers, children, history and sessions as one solver instance."""
    zone = ZoneInfo(scope.timezone)
    horizon_end = scope.start + timedelta(days=7 * scope.weeks - 1)
    workers, children = _read_roster(session, scope)
    closures = closed_spans(
        session, scope.start - CLOSURE_MARGIN, horizon_end + CLOSURE_MARGIN, scope.bank_holidays
    )
    refs = _Refs(
        workers={w.id: w.ref for w in workers},
        all_workers=dict(session.execute(select(Worker.id, Worker.ref)).tuples().all()),
        children={c.id: c.ref for c in children},
    )
    history = key_worker_history(session, list(refs.children))
    version = current_version(session)
    current_allocations = plan_allocations(session, version, refs.children, refs.all_workers)

    window_start = datetime.combine(scope.start - HISTORY_REACH, time(), zone)
    window_end = datetime.combine(horizon_end + timedelta(days=1), time(), zone)
    stored = _stored_sessions(session, list(refs.children), window_start, window_end)
    # Past contact is held contact (scheduler.outcomes): a past session recorded as
    # cancelled or did-not-attend is left out; one held by another worker counts as theirs.
    outcomes = load_outcomes(session, child_ids=list(refs.children), before=scope.now)
    known: dict[int, set[str]] = defaultdict(set)
    existing = _planned_contact(stored, outcomes, refs, scope.now, known)
    stored_at = {(s.child_id, s.start) for s in stored}
    existing += _unplanned_contact(
        children, stored_at, outcomes, refs, window_start=window_start, zone=zone, known=known
    )
    last_contact = last_key_contacts(
        session, history, scope.now, zone, refs.all_workers, outcomes=outcomes
    )
    retired = frozenset(
        session.scalars(select(PlanSession.id).where(PlanSession.removed_in.is_not(None)))
    )
    solver_children, overridden = _solver_children(
        children,
        _Relationships(history, current_allocations, known, last_contact),
        refs,
        scope.start,
    )
    instance = solver.Instance(
        workers=tuple(_solver_worker(w, closures) for w in workers),
        children=tuple(solver_children),
        plans=tuple(solver_plan(c.ref, p) for c in children for p in c.plans),
        existing_sessions=tuple(sorted(existing, key=lambda s: (s.start, s.id))),
        now=scope.now,
        horizon_start=scope.start,
        weeks=scope.weeks,
        timezone=scope.timezone,
        freeze_hours=scope.freeze_hours,
        retired_session_ids=retired,
        current_allocations=tuple(current_allocations),
    )
    return Loaded(
        go_live=_go_live(session, scope.now, zone),
        instance=instance,
        current_version=version.id if version else None,
        child_ids={c.ref: c.id for c in children},
        worker_ids={w.ref: w.id for w in workers},
        committed_changes=_committed_changes(history, refs),
        stored_sessions={s.id: s for s in stored},
        overridden=overridden,
        closures=tuple(
            s for s in closures if s.team is None or not scope.teams or s.team in scope.teams
        ),
    )


@dataclass(frozen=True, slots=True)
class _Refs:
    """Row ids to refs: the scope's workers, every worker (history may name any), the
    scope's children."""

    workers: dict[int, str]
    all_workers: dict[int, str]
    children: dict[int, str]


@dataclass(frozen=True, slots=True)
class _Relationships:
    """What a child's solver record is built from besides its own row."""

    history: dict[int, list[KeyWorkerHistory]]
    current_allocations: list[solver.CurrentAllocation]
    known: dict[int, set[str]]  # child id -> workers who have held a session with them
    last_contact: dict[int, date]


def _read_roster(session: Session, scope: Scope) -> tuple[list[Worker], list[Child]]:
    """The scope's workers (windows, absences) and children (windows, plans, pin), by ref."""
    worker_query = select(Worker).options(
        selectinload(Worker.windows), selectinload(Worker.absences)
    )
    child_query = select(Child).options(
        selectinload(Child.windows), selectinload(Child.plans), selectinload(Child.pinned_worker)
    )
    if scope.teams:
        worker_query = worker_query.where(Worker.team.in_(scope.teams))
        child_query = child_query.where(Child.team.in_(scope.teams))
    workers = list(session.scalars(worker_query.order_by(Worker.ref)))
    children = list(session.scalars(child_query.order_by(Child.ref)))
    return workers, children


def _stored_sessions(
    session: Session, child_ids: list[int], start: datetime, end: datetime
) -> list[PlanSession]:
    """The live stored sessions of these children that overlap ``[start, end)``."""
    return list(
        session.scalars(
            select(PlanSession).where(
                PlanSession.removed_in.is_(None),
                PlanSession.child_id.in_(child_ids),
                PlanSession.end > start,
                PlanSession.start < end,
            )
        )
    )


def _planned_contact(
    stored: list[PlanSession],
    outcomes: dict[tuple[int, datetime], Outcome],
    refs: _Refs,
    now: datetime,
    known: dict[int, set[str]],
) -> list[solver.ExistingSession]:
    """The stored sessions as the solver sees them, with what happened to past ones;
    adds to ``known`` the worker who held each past one."""
    existing = []
    for s in stored:
        worker_id, with_id = s.worker_id, s.with_worker_id
        outcome = outcomes.get((s.child_id, s.start)) if s.start < now else None
        if outcome is not None and not outcome.is_contact:
            continue
        if outcome is not None and outcome.worker_id is not None:
            worker_id = outcome.worker_id
            with_id = None if with_id == worker_id else with_id
        worker = refs.all_workers[worker_id]
        with_worker = refs.all_workers.get(with_id) if with_id else None
        if worker_id in refs.workers and (with_worker is None or with_id in refs.workers):
            existing.append(
                solver.ExistingSession(
                    s.id, refs.children[s.child_id], worker, with_worker, s.start, s.end, s.locked
                )
            )
        if s.start < now:
            known[s.child_id].add(worker)
    return existing


def _unplanned_contact(
    children: list[Child],
    stored_at: set[tuple[int, datetime]],
    outcomes: dict[tuple[int, datetime], Outcome],
    refs: _Refs,
    *,
    window_start: datetime,
    zone: ZoneInfo,
    known: dict[int, set[str]],
) -> list[solver.ExistingSession]:
    """Sessions held in no plan (before go-live): each counts towards its period like any
    other, as long as the plan's session length; adds their workers to ``known``."""
    plans_of = {c.id: c.plans for c in children}
    existing = []
    for (child_id, start), outcome in sorted(outcomes.items(), key=lambda kv: kv[0][1]):
        if (
            (child_id, start) in stored_at
            or outcome.session_id is not None
            or not outcome.is_contact
            or outcome.worker_id not in refs.workers
            or start < window_start
        ):
            continue
        ref = refs.children[child_id]
        minutes = unplanned_minutes(plans_of[child_id], start.astimezone(zone).date())
        existing.append(
            solver.ExistingSession(
                held_session_id(ref, start),
                ref,
                refs.workers[outcome.worker_id],
                None,
                start,
                start + timedelta(minutes=minutes),
            )
        )
        known[child_id].add(refs.workers[outcome.worker_id])
    return existing


def _solver_children(
    children: list[Child], facts: _Relationships, refs: _Refs, start: date
) -> tuple[list[solver.Child], dict[str, tuple[str, str]]]:
    """Each child with its relationships on ``start``; and the children whose committed
    key worker differs from the relationship record (changed in the case record)."""
    committed_key = {
        (a.child, a.start): a.key_worker for a in facts.current_allocations if a.key_worker
    }
    successors: dict[str, set[str]] = defaultdict(set)
    for allocation in facts.current_allocations:
        if allocation.key_worker:
            successors[allocation.child].add(allocation.key_worker)
    solver_children = []
    overridden: dict[str, tuple[str, str]] = {}
    for c in children:
        key_rows = [h for h in facts.history.get(c.id, []) if h.role == "key"]
        key = row_on(key_rows, start)
        secondary = row_on([h for h in facts.history.get(c.id, []) if h.role == "secondary"],
                            start)  # fmt: skip
        key_ref = refs.all_workers.get(key.worker_id) if key else None
        committed = committed_on(committed_key, c.ref, start)
        reason = None
        if key is not None and key.source == "import" and committed and committed != key_ref:
            reason = "changed in the case record"
            overridden[c.ref] = (committed, reason)
        pinned = c.pinned_worker.ref if c.pinned_worker else None
        pinned_from = c.pinned_from if c.pinned_from and c.pinned_from > start else None
        if pinned and key_ref and pinned != key_ref and pinned_from is None:
            reason = f"pinned to {pinned} by the manager"
        solver_children.append(
            replace(
                solver_child(c),
                current_key_worker=key_ref,
                key_worker_since=since(key_rows, key),
                current_secondary_worker=(
                    refs.all_workers.get(secondary.worker_id) if secondary else None
                ),
                pinned_worker=pinned,
                pinned_from=pinned_from if pinned else None,
                key_worker_change_reason=reason,
                # A successor the current plan already committed to (handover planned,
                # child told) counts as known, so a re-plan does not swap them out.
                known_workers=frozenset(
                    facts.known.get(c.id, set()) | successors.get(c.ref, set())
                ),
                last_key_worker_contact=facts.last_contact.get(c.id),
            )
        )
    return solver_children, overridden


def _solver_worker(w: Worker, closures: list[ClosedSpan]) -> solver.Worker:
    """A worker row as the solver sees it; the team's closed days are absences."""
    return solver.Worker(
        ref=w.ref,
        team=w.team,
        hours_per_week=w.hours_per_week,
        max_caseload=w.max_caseload,
        skills=frozenset(w.skills),
        languages=frozenset(w.languages),
        gender=w.gender,
        availability=solver_windows(w.windows),
        lat=w.lat,
        lon=w.lon,
        start_date=w.start_date,
        end_date=w.end_date,
        absences=(
            *(solver.Absence(a.start_date, a.end_date) for a in w.absences),
            *closure_absences(closures, w.team),
        ),
        email=w.email,
        name=w.name,
    )


def _committed_changes(
    history: dict[int, list[KeyWorkerHistory]], refs: _Refs
) -> frozenset[tuple[str, str, date]]:
    """(child, worker, start) of each key-worker change a committed plan made."""
    return frozenset(
        (refs.children[h.child_id], refs.all_workers[h.worker_id], h.start_date)
        for rows in history.values()
        for h in rows
        if h.role == "key" and h.source == "plan" and h.reason
    )


def _go_live(session: Session, now: datetime, zone: ZoneInfo) -> date:
    """The local date of the first committed plan's as-of (``now`` before any commit)."""
    first_as_of = session.scalar(select(func.min(PlanVersion.as_of)))
    return min(first_as_of or now, now).astimezone(zone).date()


def closure_absences(spans: list[ClosedSpan], team: str) -> list[solver.Absence]:
    """A closed day is an absence of everyone in the team (rule 2, rule 6's d)."""
    return [solver.Absence(s.start, s.end, closure=s.why) for s in spans if s.closes(team)]

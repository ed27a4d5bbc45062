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
    PlanVersion,
    Worker,
)
from scheduler.models import Session as PlanSession
from scheduler.outcomes import held_session_id, load_outcomes, unplanned_minutes
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


def load_instance(session: Session, scope: Scope) -> Loaded:  # noqa: PLR0912, PLR0915 - the whole instance read in one pass; to split with #14
    zone = ZoneInfo(scope.timezone)
    horizon_end = scope.start + timedelta(days=7 * scope.weeks - 1)
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
    closures = closed_spans(
        session, scope.start - CLOSURE_MARGIN, horizon_end + CLOSURE_MARGIN, scope.bank_holidays
    )
    children = list(session.scalars(child_query.order_by(Child.ref)))
    worker_refs = {w.id: w.ref for w in workers}
    all_worker_refs = dict(session.execute(select(Worker.id, Worker.ref)).tuples().all())
    child_ids = {c.ref: c.id for c in children}
    child_refs = {c.id: c.ref for c in children}

    history = key_worker_history(session, list(child_refs))
    version = current_version(session)
    current_allocations = plan_allocations(session, version, child_refs, all_worker_refs)
    committed_key = {(a.child, a.start): a.key_worker for a in current_allocations if a.key_worker}

    window_start = datetime.combine(scope.start - HISTORY_REACH, time(), zone)
    window_end = datetime.combine(horizon_end + timedelta(days=1), time(), zone)
    stored = list(
        session.scalars(
            select(PlanSession).where(
                PlanSession.removed_in.is_(None),
                PlanSession.child_id.in_(list(child_refs)),
                PlanSession.end > window_start,
                PlanSession.start < window_end,
            )
        )
    )
    # Past contact is held contact (scheduler.outcomes): a past session recorded as
    # cancelled or did-not-attend is left out; one held by another worker counts as theirs.
    outcomes = load_outcomes(session, child_ids=list(child_refs), before=scope.now)
    existing = []
    known: dict[int, set[str]] = defaultdict(set)
    for s in stored:
        worker_id, with_id = s.worker_id, s.with_worker_id
        outcome = outcomes.get((s.child_id, s.start)) if s.start < scope.now else None
        if outcome is not None and not outcome.is_contact:
            continue
        if outcome is not None and outcome.worker_id is not None:
            worker_id = outcome.worker_id
            with_id = None if with_id == worker_id else with_id
        worker = all_worker_refs[worker_id]
        with_worker = all_worker_refs.get(with_id) if with_id else None
        if worker_id in worker_refs and (with_worker is None or with_id in worker_refs):
            existing.append(
                solver.ExistingSession(
                    s.id, child_refs[s.child_id], worker, with_worker, s.start, s.end, s.locked
                )
            )
        if s.start < scope.now:
            known[s.child_id].add(worker)
    plans_of = {c.id: c.plans for c in children}
    stored_at = {(s.child_id, s.start) for s in stored}
    for (child_id, start), outcome in sorted(outcomes.items(), key=lambda kv: kv[0][1]):
        # held in no plan (before go-live): it counts towards its period like any other
        if (
            (child_id, start) in stored_at
            or outcome.session_id is not None
            or not outcome.is_contact
            or outcome.worker_id not in worker_refs
            or start < window_start
        ):
            continue
        ref = child_refs[child_id]
        minutes = unplanned_minutes(plans_of[child_id], start.astimezone(zone).date())
        existing.append(
            solver.ExistingSession(
                held_session_id(ref, start),
                ref,
                worker_refs[outcome.worker_id],
                None,
                start,
                start + timedelta(minutes=minutes),
            )
        )
        known[child_id].add(worker_refs[outcome.worker_id])
    last_contact = last_key_contacts(
        session, history, scope.now, zone, all_worker_refs, outcomes=outcomes
    )
    retired = frozenset(
        session.scalars(select(PlanSession.id).where(PlanSession.removed_in.is_not(None)))
    )

    successors: dict[str, set[str]] = defaultdict(set)
    for allocation in current_allocations:
        if allocation.key_worker:
            successors[allocation.child].add(allocation.key_worker)
    solver_children = []
    overridden: dict[str, tuple[str, str]] = {}
    for c in children:
        key_rows = [h for h in history.get(c.id, []) if h.role == "key"]
        key = row_on(key_rows, scope.start)
        secondary = row_on([h for h in history.get(c.id, []) if h.role == "secondary"],
                            scope.start)  # fmt: skip
        key_ref = all_worker_refs.get(key.worker_id) if key else None
        committed = committed_on(committed_key, c.ref, scope.start)
        reason = None
        if key is not None and key.source == "import" and committed and committed != key_ref:
            reason = "changed in the case record"
            overridden[c.ref] = (committed, reason)
        pinned = c.pinned_worker.ref if c.pinned_worker else None
        pinned_from = c.pinned_from if c.pinned_from and c.pinned_from > scope.start else None
        if pinned and key_ref and pinned != key_ref and pinned_from is None:
            reason = f"pinned to {pinned} by the manager"
        solver_children.append(
            replace(
                solver_child(c),
                current_key_worker=key_ref,
                key_worker_since=since(key_rows, key),
                current_secondary_worker=(
                    all_worker_refs.get(secondary.worker_id) if secondary else None
                ),
                pinned_worker=pinned,
                pinned_from=pinned_from if pinned else None,
                key_worker_change_reason=reason,
                # A successor the current plan already committed to (handover planned,
                # child told) counts as known, so a re-plan does not swap them out.
                known_workers=frozenset(known.get(c.id, set()) | successors.get(c.ref, set())),
                last_key_worker_contact=last_contact.get(c.id),
            )
        )
    plans = [solver_plan(c.ref, p) for c in children for p in c.plans]
    solver_workers = [
        solver.Worker(
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
        for w in workers
    ]
    instance = solver.Instance(
        workers=tuple(solver_workers),
        children=tuple(solver_children),
        plans=tuple(plans),
        existing_sessions=tuple(sorted(existing, key=lambda s: (s.start, s.id))),
        now=scope.now,
        horizon_start=scope.start,
        weeks=scope.weeks,
        timezone=scope.timezone,
        freeze_hours=scope.freeze_hours,
        retired_session_ids=retired,
        current_allocations=tuple(current_allocations),
    )
    committed_changes = frozenset(
        (child_refs[h.child_id], all_worker_refs[h.worker_id], h.start_date)
        for rows in history.values()
        for h in rows
        if h.role == "key" and h.source == "plan" and h.reason
    )
    first_as_of = session.scalar(select(func.min(PlanVersion.as_of)))
    go_live = min(first_as_of or scope.now, scope.now).astimezone(zone).date()
    return Loaded(
        go_live=go_live,
        instance=instance,
        current_version=version.id if version else None,
        child_ids=child_ids,
        worker_ids={w.ref: w.id for w in workers},
        committed_changes=committed_changes,
        stored_sessions={s.id: s for s in stored},
        overridden=overridden,
        closures=tuple(
            s for s in closures if s.team is None or not scope.teams or s.team in scope.teams
        ),
    )


def closure_absences(spans: list[ClosedSpan], team: str) -> list[solver.Absence]:
    """A closed day is an absence of everyone in the team (rule 2, rule 6's d)."""
    return [solver.Absence(s.start, s.end, closure=s.why) for s in spans if s.closes(team)]

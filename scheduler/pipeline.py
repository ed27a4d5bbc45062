"""The re-planning pipeline: load, solve, validate, diff, alerts, commit.

``propose`` reads the store and returns a plan without writing anything;
``commit`` makes a proposal the current plan in one transaction, so a crash or a
kill at any moment leaves either the old plan or the new one, never a mix. The
nightly job and ``keyworker plan --commit`` both go through here.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import solver
from scheduler import alerts as alert_rules
from scheduler import audit, plan_json, proposals
from scheduler.db import Database
from scheduler.diff import Change, StoredSessionView, changes
from scheduler.errors import NotFound, PlanningFailed
from scheduler.golive import excuse_before_go_live
from scheduler.mapping import Loaded, Scope, load_instance
from scheduler.models import (
    Alert,
    KeyWorkerHistory,
    PlanAllocation,
    PlanVersion,
    Worker,
)
from scheduler.models import Session as PlanSession
from scheduler.settings import Settings

Progress = Callable[[str], None]
AfterCommit = Callable[[Session, datetime], None]
# How to run the solver: ``solver.solve`` here, or in a child process (the nightly run).
Solve = Callable[[solver.Instance, solver.SolverParams, Progress], solver.Solution]


@dataclass(frozen=True, slots=True)
class PlanRequest:
    now: datetime
    start: date
    weeks: int
    teams: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PreviewCheck:
    """A stored preview that was not committed as it was: why, and what differs."""

    proposal: int
    why: str
    differences: list[str]


@dataclass
class Proposal:
    request: PlanRequest
    loaded: Loaded
    solution: solver.Solution
    alerts: list[alert_rules.PlannedAlert]
    metrics: dict[str, Any]
    version: int
    changes: list[Change]
    fingerprint: str = ""
    reused: int | None = None  # the stored proposal committed as it was previewed
    stored: int | None = None  # the id this (dry-run) proposal is stored under
    preview: PreviewCheck | None = None  # a preview that could not be committed as it was

    @property
    def instance(self) -> solver.Instance:
        return self.loaded.instance

    def to_json(self, *, committed: bool) -> dict[str, Any]:
        return plan_json.build(
            version=self.version,
            committed=committed,
            instance=self.instance,
            solution=self.solution,
            alerts=self.alerts,
            metrics=self.metrics,
        )

    def worst_severity(self) -> str | None:
        ranks = [alert_rules.SEVERITY_RANK[a.severity] for a in self.alerts]
        if not ranks:
            return None
        return next(k for k, v in alert_rules.SEVERITY_RANK.items() if v == max(ranks))


@dataclass(frozen=True, slots=True)
class CommitResult:
    version: int
    stored: alert_rules.StoredAlerts


def solver_params(settings: Settings) -> solver.SolverParams:
    return solver.SolverParams(time_limit_seconds=settings.time_limit_seconds, num_workers=2)


def _scope(settings: Settings, request: PlanRequest) -> Scope:
    return Scope(
        now=request.now,
        start=request.start,
        weeks=request.weeks,
        timezone=settings.timezone,
        freeze_hours=settings.freeze_hours,
        teams=request.teams,
        bank_holidays=settings.holiday_region,
    )


@dataclass(frozen=True, slots=True)
class _Inputs:
    loaded: Loaded
    version: int
    stored_views: dict[str, StoredSessionView]


def _load(
    database: Database,
    settings: Settings,
    request: PlanRequest,
    edit: Callable[[solver.Instance], solver.Instance] | None,
) -> _Inputs:
    with database.reading() as session:
        loaded = load_instance(session, _scope(settings, request))
        version = (session.scalar(select(func.max(PlanVersion.id))) or 0) + 1
        stored_views = {
            s.id: StoredSessionView(
                s.id,
                s.child.ref,
                s.worker.ref,
                s.with_worker.ref if s.with_worker else None,
                s.start,
                s.end,
            )
            for s in loaded.stored_sessions.values()
        }
    if edit is not None:
        loaded = replace(loaded, instance=edit(loaded.instance))
    return _Inputs(loaded, version, stored_views)


def propose(
    database: Database,
    settings: Settings,
    request: PlanRequest,
    *,
    progress: Progress | None = None,
    edit: Callable[[solver.Instance], solver.Instance] | None = None,
    previewed: proposals.StoredProposal | None = None,
    solve: Solve | None = None,
) -> Proposal:
    """Solve for ``request`` and return the plan, its alerts and changes; writes nothing.

    ``solve`` runs the solver (default ``solver.solve`` in this process; the nightly run
    passes one that solves in a child process).
    ``edit`` changes the loaded instance before solving (``whatif``). ``previewed``:
    a stored proposal for this request; where nothing it was made from has changed
    and it still holds at ``request.now``, it is the plan (no solve), else the new
    plan lists what differs from it.
    """
    say = progress or (lambda _message: None)
    say("loading the team from the database")
    inputs = _load(database, settings, request, edit)
    instance = inputs.loaded.instance
    params = solver_params(settings)
    mark = proposals.fingerprint(inputs.loaded, request.teams, params)
    started = clock.perf_counter()
    why = ""
    if previewed is not None and previewed.solution is not None:
        if previewed.fingerprint == mark:
            again = proposals.at_now(previewed.solution, instance.now)
            if not solver.validate(instance, again):
                say(f"nothing has changed since proposal {previewed.id}: committing it")
                proposal = _finish(inputs, request, again, started)
                # the search was the preview's: report its time, not the check's
                proposal.metrics["solve_seconds"] = round(again.metrics.solve_seconds, 1)
                return replace(proposal, fingerprint=mark, reused=previewed.id)
            why = "the time has moved past part of it"
        else:
            why = "what it was made from has changed"
    say(
        f"solving for {len(instance.children)} children and {len(instance.workers)} workers, "
        f"{instance.horizon_start} .. {instance.horizon_end}"
    )
    try:
        solution = (solve or solver.solve)(instance, params, say)
    except solver.SolverError as exc:
        raise PlanningFailed(f"the solver could not make a plan: {exc}") from exc
    proposal = _finish(inputs, request, solution, started)
    proposal = replace(proposal, fingerprint=mark)
    if previewed is not None and previewed.solution is not None:
        proposal = replace(
            proposal,
            preview=PreviewCheck(
                previewed.id,
                why,
                proposals.differences(
                    previewed.solution, solution, zone=ZoneInfo(settings.timezone)
                ),
            ),
        )
    say("done")
    return proposal


def _finish(
    inputs: _Inputs, request: PlanRequest, solution: solver.Solution, started: float
) -> Proposal:
    """Validate ``solution`` and derive its alerts, metrics and changes."""
    loaded = inputs.loaded
    instance = loaded.instance
    violations = solver.validate(instance, solution)
    if violations:
        listed = "; ".join(str(v) for v in violations[:5])
        raise PlanningFailed(
            f"the plan breaks {len(violations)} planning rule(s) and was rejected: {listed}"
        )
    findings = _committed_changes_not_repeated(loaded, solution)
    findings += _case_record_changes(loaded, solution, findings)
    findings = excuse_before_go_live(loaded, solution, findings)
    planned_alerts = alert_rules.from_findings(findings)
    elapsed = clock.perf_counter() - started
    metrics = _metrics(solution, planned_alerts, elapsed)
    key_on_start = {
        a.child: a.key_worker for a in solution.allocations if a.start == instance.horizon_start
    }
    found = changes(
        inputs.stored_views,
        solution,
        now=request.now,
        zone=ZoneInfo(instance.timezone),
        key_workers=key_on_start,
        committed=loaded.committed_changes,
    )
    return Proposal(
        request=request,
        loaded=loaded,
        solution=solution,
        alerts=planned_alerts,
        metrics=metrics,
        version=inputs.version,
        changes=found,
    )


def _committed_changes_not_repeated(
    loaded: Loaded, solution: solver.Solution
) -> list[solver.Finding]:
    """Drop a ``KEYWORKER_CHANGE`` that a committed plan already made (SPEC goal 3)."""
    out = []
    for f in solution.findings:
        if (
            f.kind == "KEYWORKER_CHANGE"
            and f.child
            and any(
                (f.child, worker, f.start) in loaded.committed_changes
                for worker in {f.worker or ""}
                | {a.key_worker or "" for a in solution.allocations if a.child == f.child}
            )
        ):
            continue
        out.append(f)
    return out


def _case_record_changes(
    loaded: Loaded, solution: solver.Solution, findings: list[solver.Finding]
) -> list[solver.Finding]:
    """A key worker changed in the case record differs from the current plan: say so."""
    extra = []
    start = loaded.instance.horizon_start
    for a in solution.allocations:
        if a.child not in loaded.overridden or a.start != start or a.key_worker is None:
            continue
        before, reason = loaded.overridden[a.child]
        if before == a.key_worker:
            continue
        if any(f.kind == "KEYWORKER_CHANGE" and f.child == a.child for f in findings):
            continue
        extra.append(
            solver.Finding(
                kind="KEYWORKER_CHANGE",
                severity="medium",
                child=a.child,
                worker=a.key_worker,
                session=None,
                start=a.start,
                end=a.end,
                message=f"{a.child}: key worker {before} -> {a.key_worker} from {a.start} "
                f"because it was {reason}.",
            )
        )
    return extra


def _metrics(
    solution: solver.Solution, alerts: list[alert_rules.PlannedAlert], elapsed: float
) -> dict[str, Any]:
    m = solution.metrics
    return {
        "children": m.children,
        "allocated": m.allocated,
        "keyworker_changes": sum(1 for a in alerts if a.kind == "KEYWORKER_CHANGE"),
        "sessions_required": m.sessions_required,
        "sessions_scheduled": m.sessions_scheduled,
        "sessions_with_key_worker_pct": m.sessions_with_key_worker_pct,
        "solve_seconds": round(elapsed, 1),
        # beyond SPEC's keys: what absences leave possible, beside the share achieved
        "key_worker_ceiling_pct": m.key_worker_ceiling_pct,
    }


def commit(
    database: Database,
    proposal: Proposal,
    *,
    actor: str,
    now: datetime,
    after_commit: AfterCommit | None = None,
    recorded_at: datetime | None = None,
) -> CommitResult:
    """Make ``proposal`` the current plan, atomically; ``after_commit`` runs inside.

    ``now`` is the time planned as (``--as-of``); ``recorded_at`` the wall-clock time
    for the audit log (default: the system clock).
    """
    loaded = proposal.loaded
    with database.transaction() as session:
        current = session.scalar(
            select(PlanVersion).where(PlanVersion.is_current.is_(True)).with_for_update()
        )
        if (current.id if current else None) != loaded.current_version:
            raise PlanningFailed(
                "another plan was committed while this one was being made; run plan again"
            )
        version_id = (session.scalar(select(func.max(PlanVersion.id))) or 0) + 1
        if current is not None:
            current.is_current = False
        instance = proposal.instance
        version = PlanVersion(
            id=version_id,
            committed_at=now,
            committed_by=actor,
            as_of=instance.now,
            horizon_start=instance.horizon_start,
            horizon_end=instance.horizon_end,
            timezone=instance.timezone,
            teams=list(proposal.request.teams),
            metrics=proposal.metrics,
            is_current=True,
        )
        session.add(version)
        session.flush()
        worker_ids = dict(session.execute(select(Worker.ref, Worker.id)).tuples().all())
        _write_allocations(session, proposal, version_id, worker_ids)
        _write_history(session, proposal, version_id, worker_ids, now)
        _write_sessions(session, proposal, version_id, worker_ids, now)
        scope_children = set(loaded.child_ids) if proposal.request.teams else None
        stored = alert_rules.store(
            session, proposal.alerts, version=version_id, now=now, scope_children=scope_children
        )
        audit.record(
            session,
            actor=actor,
            action="plan.commit",
            at=recorded_at or audit.wall_clock(),
            as_of=now,
            version=version_id,
            horizon=f"{instance.horizon_start}..{instance.horizon_end}",
            teams=list(proposal.request.teams),
            changes=len(proposal.changes),
            alerts=len(proposal.alerts),
        )
        if after_commit is not None:
            after_commit(session, now)
    return CommitResult(version=version_id, stored=stored)


def _write_allocations(
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


def _write_history(
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


def _write_sessions(
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
    for s in proposal.solution.sessions:
        planned_ids.add(s.id)
        worker_id = worker_ids[s.worker]
        with_id = worker_ids[s.with_worker] if s.with_worker else None
        row = existing.get(s.id)
        if row is None:
            session.add(
                PlanSession(
                    id=s.id,
                    child_id=child_ids[s.child],
                    worker_id=worker_id,
                    with_worker_id=with_id,
                    start=s.start,
                    end=s.end,
                    cover=s.cover,
                    locked=s.locked,
                    sequence=0,
                    created_in=version_id,
                    updated_in=version_id,
                    updated_at=now,
                )
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


def open_alerts(session: Session) -> list[Alert]:
    rows = session.scalars(select(Alert).where(Alert.status == "open"))
    return sorted(
        rows,
        key=lambda a: (
            -alert_rules.SEVERITY_RANK[a.severity],
            a.kind,
            a.child_ref or "",
            a.start,
            a.id,
        ),
    )


def all_alerts(session: Session) -> list[Alert]:
    return list(session.scalars(select(Alert).order_by(Alert.created_at, Alert.id)))


def suggest(
    database: Database, settings: Settings, request: PlanRequest, child: str, limit: int = 5
) -> list[solver.Candidate]:
    """Ranked candidate key workers for ``child`` with what each would cost."""
    with database.reading() as session:
        loaded = load_instance(session, _scope(settings, request))
    try:
        return solver.suggest(loaded.instance, child, limit=limit)
    except solver.UnknownChild as exc:
        raise NotFound("child", child) from exc

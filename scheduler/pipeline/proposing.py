"""Proposing a plan: load, solve, validate, then derive alerts, metrics and changes.

:func:`propose` reads the store and returns a plan without writing anything.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import solver
from scheduler import alerts as alert_rules
from scheduler import proposals
from scheduler.db import Database
from scheduler.diff import changes
from scheduler.errors import PlanningFailed
from scheduler.golive import excuse_before_go_live
from scheduler.mapping import Loaded
from scheduler.pipeline.loading import Inputs, load_inputs
from scheduler.pipeline.proposal import PreviewCheck, Proposal
from scheduler.pipeline.request import PlanRequest, Progress, Solve, solver_params
from scheduler.settings import Settings


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
    inputs = load_inputs(database, settings, request, edit)
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
    inputs: Inputs, request: PlanRequest, solution: solver.Solution, started: float
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
    found = changes(
        inputs.stored_views,
        solution,
        now=request.now,
        zone=ZoneInfo(instance.timezone),
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

"""One nightly run: under the lease, recorded, committed whole or not at all."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from time import monotonic

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import solver
from scheduler import lease, replan
from scheduler.models import PlanVersion
from scheduler.nightly.failure import describe, raise_failure_alert
from scheduler.nightly.record import (
    ACTOR,
    abandon_orphans,
    committed_version,
    finish_record,
    night_succeeded,
    start_record,
)
from scheduler.nightly.runtime import InProgress, NightlyRuntime
from scheduler.nightly.trigger import last_slot, night_of
from scheduler.pipeline import PlanRequest, Progress
from scheduler.solve_process import solve_in_child

log = logging.getLogger("keyworker.nightly")

LEASE_NAME = "nightly-replan"
TRIGGERS = ("schedule", "startup", "run-now")


@dataclass(frozen=True, slots=True)
class RunResult:
    """What :func:`run_night` did: ``run_id`` is None when it skipped."""

    run_id: int | None
    outcome: str  # success, failed, abandoned, skipped
    detail: str = ""


class _Abandoned(Exception):
    """Raised inside a run to stop it before its transaction commits."""


def run_night(runtime: NightlyRuntime, *, trigger: str, slot: datetime | None = None) -> RunResult:
    """One nightly run under the lease, recorded; see the module docstring."""
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown trigger {trigger!r}; expected one of {TRIGGERS}")
    if not runtime._busy.acquire(blocking=False):
        log.warning("a nightly run is already in progress in this process; %s run skipped", trigger)
        return RunResult(None, "skipped", "a run is already in progress in this process")
    runtime.idle.clear()
    try:
        return _run_locked(runtime, trigger, slot)
    finally:
        runtime.current = None
        runtime.idle.set()
        runtime._busy.release()


def _run_locked(runtime: NightlyRuntime, trigger: str, slot: datetime | None) -> RunResult:
    database, settings, zone = runtime.database, runtime.settings, runtime.settings.zone
    if slot is None and trigger == "schedule":
        slot = last_slot(settings, runtime.clock())
    holder = lease.new_holder()
    if not _take_lease(runtime, holder, wait=trigger != "run-now"):
        detail = "another process is re-planning"
        log.warning("nightly run (%s) skipped: %s", trigger, detail)
        return RunResult(None, "skipped", detail)
    beat = lease.Heartbeat(
        database, LEASE_NAME, holder, runtime.clock, ttl=runtime.lease_ttl, every=runtime.heartbeat
    ).start()
    try:
        abandon_orphans(database, now=runtime.clock())
        if slot is not None and trigger != "run-now":
            with database.reading() as session:
                done = night_succeeded(session, night_of(slot, zone), zone)
            if done is not None:
                detail = f"the night of {night_of(slot, zone)} already succeeded (run {done.id})"
                log.info("nightly run (%s) skipped: %s", trigger, detail)
                return RunResult(None, "skipped", detail)
        return _replan(runtime, trigger, slot, holder, beat)
    finally:
        beat.stop()
        try:
            lease.release(database, LEASE_NAME, holder)
        except Exception as exc:  # it expires on its own
            log.warning("could not release the nightly lease: %s", exc)


def _take_lease(runtime: NightlyRuntime, holder: str, *, wait: bool) -> bool:
    deadline = monotonic() + runtime.lease_wait.total_seconds()  # real seconds waited
    while True:
        now = runtime.clock()
        if lease.acquire(runtime.database, LEASE_NAME, holder, now=now, ttl=runtime.lease_ttl):
            return True
        if not wait or monotonic() >= deadline or runtime.stop.wait(runtime.lease_poll_seconds):
            return False


def _replan(
    runtime: NightlyRuntime,
    trigger: str,
    slot: datetime | None,
    holder: str,
    beat: lease.Heartbeat,
) -> RunResult:
    database, settings = runtime.database, runtime.settings
    now = runtime.clock()
    with database.reading() as session:
        before = session.scalar(select(func.max(PlanVersion.id))) or 0
    run_id = start_record(database, trigger=trigger, slot=slot, now=now)
    runtime.current = InProgress(run_id, holder, now, before)
    log.info("nightly run %d (%s) started", run_id, trigger)

    def check(message: str = "") -> None:
        if message:
            log.debug("run %d: %s", run_id, message)
        if runtime.stop.is_set():
            raise _Abandoned("abandoned: the service was stopping")
        if beat.lost.is_set():
            raise _Abandoned("abandoned: the lease was lost to another process")

    def guarded_commit(session: Session, at: datetime) -> None:
        check()
        if runtime.after_commit is not None:
            runtime.after_commit(session, at)
        check()  # the last moment to roll back before the plan commits

    request = PlanRequest(
        now=now, start=now.astimezone(settings.zone).date(), weeks=settings.horizon_weeks
    )

    def solve(
        instance: solver.Instance, params: solver.SolverParams, say: Progress
    ) -> solver.Solution:
        # In a child process: a crash inside OR-Tools must not take the feeds down.
        return solve_in_child(instance, params, say, poll=check)

    try:
        outcome = replan.run(
            database,
            settings,
            request,
            actor=ACTOR,
            do_commit=True,
            after_commit=guarded_commit,
            progress=check,
            recorded_at=now,
            solve=solve,
        )
    except _Abandoned as exc:
        finish_record(database, run_id, now=runtime.clock(), outcome="failed", error=str(exc))
        log.warning("nightly run %d %s; nothing was committed", run_id, exc)
        return RunResult(run_id, "abandoned", str(exc))
    except Exception as exc:
        return _failed(runtime, run_id, request, slot, exc, before=before)
    assert outcome.committed is not None
    finish_record(
        database,
        run_id,
        now=runtime.clock(),
        outcome="success",
        version=outcome.committed.version,
        changes=len(outcome.proposal.changes),
        alerts=len(outcome.proposal.alerts),
    )
    log.info(
        "nightly run %d succeeded: plan version %d, %d change(s), %d alert(s)",
        run_id,
        outcome.committed.version,
        len(outcome.proposal.changes),
        len(outcome.proposal.alerts),
    )
    return RunResult(run_id, "success")


def _failed(
    runtime: NightlyRuntime,
    run_id: int,
    request: PlanRequest,
    slot: datetime | None,
    exc: Exception,
    *,
    before: int,
) -> RunResult:
    database, settings = runtime.database, runtime.settings
    error = describe(exc)
    committed = committed_version(database, request.now, after=before)
    if committed is not None:
        # The plan went in; what failed came after it (delivering alerts, telling workers).
        finish_record(
            database,
            run_id,
            now=runtime.clock(),
            outcome="success",
            version=committed,
            error=f"committed, then: {error}",
        )
        log.warning(
            "nightly run %d committed version %d, then failed: %s", run_id, committed, error
        )
        return RunResult(run_id, "success", error)
    log.error("nightly run %d failed: %s", run_id, error, exc_info=exc)
    try:
        finish_record(database, run_id, now=runtime.clock(), outcome="failed", error=error)
    except Exception as record_exc:
        log.error("could not record the failure of run %d: %s", run_id, describe(record_exc))
    night = night_of(slot or request.now, settings.zone)
    try:
        raise_failure_alert(database, settings, night=night, error=error, now=runtime.clock())
    except Exception as alert_exc:
        log.error("could not raise the nightly failure alert: %s", describe(alert_exc))
    return RunResult(run_id, "failed", error)


def abandon_in_progress(runtime: NightlyRuntime, reason: str) -> None:
    """Record the run in progress as abandoned and free the lease (shutdown, best effort)."""
    current = runtime.current
    if current is None:
        return
    database, run_id = runtime.database, current.run_id
    committed = committed_version(database, current.now, after=current.before)
    if committed is None:
        finish_record(database, run_id, now=runtime.clock(), outcome="failed", error=reason)
    else:  # stopped after the commit, while delivering alerts: the plan is in
        finish_record(
            database,
            run_id,
            now=runtime.clock(),
            outcome="success",
            version=committed,
            error=f"committed, then {reason.removeprefix('abandoned: ')} while delivering alerts",
        )
    lease.release(database, LEASE_NAME, current.holder)

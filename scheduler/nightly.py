"""The nightly re-plan: when the night is, the job, its run record and its failure alert.

:func:`nightly_job` is the one scheduled job (id :data:`JOB_ID`). It re-plans every
team and commits, delivers the alerts and refreshes the feeds by calling
:func:`scheduler.replan.run`, exactly as ``keyworker plan --commit`` does. Around that
call it guarantees what a team relies on:

* one run at a time across every process sharing the database (:mod:`scheduler.lease`);
* one successful run per night: a scheduled or catch-up run for a night that already
  has a successful run is skipped (restarts, a second instance, the clocks going back);
* every run recorded in ``nightly_runs`` (start, end, outcome, plan version, changes,
  alerts, error, host, pid);
* a failed run leaves the current plan untouched (the commit is one transaction),
  records the error and raises a high-severity ``NIGHTLY_FAILED`` alert to the
  manager; the next run tries again;
* a run asked to stop (SIGTERM, or the lease lost) before its transaction commits is
  abandoned and rolled back, never half committed;
* the solve runs in a spawned child process (:mod:`scheduler.solve_process`): a crash
  inside OR-Tools kills the child, and the run is recorded as failed with its reason
  while the server goes on serving feeds.

A job in a persistent job store is pickled by reference, so it cannot carry the
database or the settings: the service installs them with :func:`install` before the
scheduler starts.

The night of a run is the local date of its scheduled time (``scheduled_for``) in the
configured zone. :class:`NightlyTrigger` fires once per local date, also on the nights
the clocks change.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

import solver
from scheduler import lease, replan
from scheduler.alerts import alert_id
from scheduler.db import Database
from scheduler.errors import KeyworkerError
from scheduler.models import Alert, NightlyRun, PlanVersion
from scheduler.notify import deliver_alerts
from scheduler.pipeline import AfterCommit, PlanRequest, Progress
from scheduler.settings import Settings
from scheduler.solve_process import solve_in_child

log = logging.getLogger("keyworker.nightly")

Clock = Callable[[], datetime]

JOB_ID = "keyworker-nightly-replan"
LEASE_NAME = "nightly-replan"
ACTOR = "nightly"
FAILURE_KIND = "NIGHTLY_FAILED"
TRIGGERS = ("schedule", "startup", "run-now")
# How long a scheduled or catch-up run waits for a run in another process to finish
# before giving up on this night (it then finds that run's success and skips).
LEASE_WAIT = timedelta(minutes=30)
ERROR_CHARS = 2000


def utc_now() -> datetime:
    return datetime.now(UTC)


# --- when the night is ---------------------------------------------------------------


class NightlyTrigger(BaseTrigger):  # type: ignore[misc]  # apscheduler has no type hints
    """Fires once a day at local time ``at`` in ``timezone``: once per local date, always.

    On the night the clocks go forward a time that does not exist (01:30 in London on
    2027-03-28) fires an hour later by the wall clock (02:30 BST), at the instant it
    would have been without the change. On the night they go back a time that happens
    twice (01:30 on 2027-10-31) fires only the first time.

    Why not ``CronTrigger``: APScheduler 3.11's ``CronTrigger`` fires twice on the night
    the clocks go back, and after the clocks go forward it skips a whole day for some
    times (00:00 and 19:00-23:59 in New York on 2027-03-15), which the tests pin.
    """

    __slots__ = ("at", "timezone")

    def __init__(self, at: time, timezone: ZoneInfo) -> None:
        self.at = at.replace(tzinfo=None, fold=0)
        self.timezone = timezone

    def fire_on(self, night: date) -> datetime:
        """The instant of the run for local date ``night``, as a normalised local time."""
        wall = datetime.combine(night, self.at, tzinfo=self.timezone)  # fold=0: the first
        return wall.astimezone(UTC).astimezone(self.timezone)

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        # As CronTrigger: from just after the previous fire, so that missed runs can be
        # counted (and coalesced) by the scheduler; else from now.
        start = now
        if previous_fire_time is not None:
            start = min(now, previous_fire_time + timedelta(microseconds=1))
            if start <= previous_fire_time:
                start = previous_fire_time + timedelta(microseconds=1)
        day = start.astimezone(self.timezone).date() - timedelta(days=1)
        while True:
            fire = self.fire_on(day)
            if fire >= start:
                return fire
            day += timedelta(days=1)

    def __getstate__(self) -> dict[str, Any]:
        return {"version": 1, "at": self.at, "timezone": self.timezone}

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("version") != 1:
            raise ValueError(f"cannot restore a NightlyTrigger of version {state.get('version')}")
        self.at = state["at"]
        self.timezone = state["timezone"]

    def __str__(self) -> str:
        return f"nightly at {self.at:%H:%M} ({self.timezone.key})"

    def __repr__(self) -> str:
        return f"<NightlyTrigger (at='{self.at:%H:%M}', timezone='{self.timezone.key}')>"


def nightly_trigger(settings: Settings) -> NightlyTrigger:
    return NightlyTrigger(settings.nightly_time, settings.zone)


def last_slot(settings: Settings, now: datetime) -> datetime:
    """The latest scheduled run time at or before ``now``."""
    trigger = nightly_trigger(settings)
    fire = trigger.get_next_fire_time(None, now - timedelta(days=2))
    last = fire
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire)
    assert last is not None and last <= now, "a daily trigger fires every day"
    return last.astimezone(UTC)


def next_slot(settings: Settings, now: datetime) -> datetime:
    """The first scheduled run time after ``now``."""
    fire = nightly_trigger(settings).get_next_fire_time(None, now + timedelta(microseconds=1))
    assert fire is not None
    return fire.astimezone(UTC)


def night_of(moment: datetime, zone: ZoneInfo) -> date:
    """The night a run belongs to: the local date of its scheduled time."""
    return moment.astimezone(zone).date()


def night_bounds(night: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight starting and ending ``night``."""
    start = datetime.combine(night, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(night + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return start, end


def night_succeeded(session: Session, night: date, zone: ZoneInfo) -> NightlyRun | None:
    """The successful run scheduled for ``night``, if there is one."""
    start, end = night_bounds(night, zone)
    return session.scalars(
        select(NightlyRun)
        .where(
            NightlyRun.outcome == "success",
            NightlyRun.scheduled_for >= start,
            NightlyRun.scheduled_for < end,
        )
        .order_by(NightlyRun.id)
        .limit(1)
    ).first()


# --- the runtime the service installs ------------------------------------------------


@dataclass(frozen=True, slots=True)
class InProgress:
    """The run this process is carrying out, for recording it if the process must quit."""

    run_id: int
    holder: str  # of the lease
    now: datetime  # the run's PlanRequest.now
    before: int  # the newest plan version when it started


@dataclass
class NightlyRuntime:
    """What the job needs and a pickled job cannot carry; installed by the service."""

    database: Database
    settings: Settings
    clock: Clock = utc_now
    after_commit: AfterCommit | None = None
    lease_wait: timedelta = LEASE_WAIT
    lease_poll_seconds: float = 2.0
    lease_ttl: timedelta = lease.DEFAULT_TTL
    heartbeat: timedelta = lease.HEARTBEAT
    stop: threading.Event = field(default_factory=threading.Event)
    idle: threading.Event = field(default_factory=threading.Event)
    current: InProgress | None = None

    def __post_init__(self) -> None:
        self.idle.set()
        self._busy = threading.Lock()


_runtime: NightlyRuntime | None = None


def install(runtime: NightlyRuntime | None) -> None:
    """Make ``runtime`` the one :func:`nightly_job` uses (None uninstalls)."""
    global _runtime  # noqa: PLW0603  # the job is pickled by reference; see the docstring
    _runtime = runtime


# --- the job -------------------------------------------------------------------------


def nightly_job(trigger: str = "schedule", slot: str | None = None) -> None:
    """Re-plan every team and commit, as ``keyworker plan --commit``; see the module doc.

    ``trigger`` is recorded with the run; ``slot`` (ISO 8601) is the scheduled time a
    catch-up run stands in for; a scheduled run works it out from the clock.
    """
    runtime = _runtime
    if runtime is None:
        log.error("nightly job fired but the service has not installed its runtime")
        return
    try:
        run_night(runtime, trigger=trigger, slot=datetime.fromisoformat(slot) if slot else None)
    except Exception:
        log.exception("nightly run could not be carried out")


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
    run_id = _start_record(database, trigger=trigger, slot=slot, now=now)
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
        _finish_record(database, run_id, now=runtime.clock(), outcome="failed", error=str(exc))
        log.warning("nightly run %d %s; nothing was committed", run_id, exc)
        return RunResult(run_id, "abandoned", str(exc))
    except Exception as exc:
        return _failed(runtime, run_id, request, slot, exc, before=before)
    assert outcome.committed is not None
    _finish_record(
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
    committed = _committed_version(database, request.now, after=before)
    if committed is not None:
        # The plan went in; what failed came after it (delivering alerts, telling workers).
        _finish_record(
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
        _finish_record(database, run_id, now=runtime.clock(), outcome="failed", error=error)
    except Exception as record_exc:
        log.error("could not record the failure of run %d: %s", run_id, describe(record_exc))
    night = night_of(slot or request.now, settings.zone)
    try:
        raise_failure_alert(database, settings, night=night, error=error, now=runtime.clock())
    except Exception as alert_exc:
        log.error("could not raise the nightly failure alert: %s", describe(alert_exc))
    return RunResult(run_id, "failed", error)


def describe(exc: BaseException) -> str:
    """The error as a manager reads it: our own errors as written, others with their type."""
    text = str(exc).strip() or type(exc).__name__
    if not isinstance(exc, KeyworkerError):
        text = f"{type(exc).__name__}: {text}"
    return text[:ERROR_CHARS]


# --- the run record ------------------------------------------------------------------


def _start_record(database: Database, *, trigger: str, slot: datetime | None, now: datetime) -> int:
    with database.transaction() as session:
        row = NightlyRun(
            scheduled_for=slot,
            started_at=now,
            finished_at=None,
            outcome="running",
            trigger=trigger,
            host=socket.gethostname()[:200],
            pid=os.getpid(),
        )
        session.add(row)
        session.flush()
        return row.id


def _finish_record(
    database: Database,
    run_id: int,
    *,
    now: datetime,
    outcome: str,
    version: int | None = None,
    changes: int | None = None,
    alerts: int | None = None,
    error: str | None = None,
) -> None:
    with database.transaction() as session:
        session.execute(
            update(NightlyRun)
            .where(NightlyRun.id == run_id)
            .values(
                finished_at=now,
                outcome=outcome,
                plan_version_id=version,
                changes=changes,
                alerts=alerts,
                error=error,
            )
        )


def _committed_version(database: Database, now: datetime, *, after: int) -> int | None:
    """The plan version this run committed, if it got that far."""
    with database.reading() as session:
        return session.scalar(
            select(PlanVersion.id).where(
                PlanVersion.id > after,
                PlanVersion.committed_by == ACTOR,
                PlanVersion.committed_at == now,
            )
        )


def abandon_orphans(database: Database, *, now: datetime) -> int:
    """Mark runs left ``running`` by a process that died as failed; call under the lease.

    Whoever holds the lease is the only process that may be running a run, so any other
    run still marked running was cut short (``kill -9``, a crash, a power cut). Its
    transaction was never committed, so the plan is the one before it.
    """
    with database.reading() as session:
        orphans = session.execute(
            select(NightlyRun.id, NightlyRun.host, NightlyRun.pid).where(
                NightlyRun.outcome == "running"
            )
        ).all()
    if not orphans:
        return 0
    # Writes only, so that on SQLite the transaction waits for the write lock.
    with database.transaction() as session:
        for run_id, host, pid in orphans:
            session.execute(
                update(NightlyRun)
                .where(NightlyRun.id == run_id, NightlyRun.outcome == "running")
                .values(
                    outcome="failed",
                    finished_at=now,
                    error=f"abandoned: the process running it ({host} pid {pid}) stopped "
                    "before it finished; nothing of it was committed",
                )
            )
            log.warning("nightly run %d was abandoned by %s pid %d", run_id, host, pid)
    return len(orphans)


def abandon_in_progress(runtime: NightlyRuntime, reason: str) -> None:
    """Record the run in progress as abandoned and free the lease (shutdown, best effort)."""
    current = runtime.current
    if current is None:
        return
    database, run_id = runtime.database, current.run_id
    committed = _committed_version(database, current.now, after=current.before)
    if committed is None:
        _finish_record(database, run_id, now=runtime.clock(), outcome="failed", error=reason)
    else:  # stopped after the commit, while delivering alerts: the plan is in
        _finish_record(
            database,
            run_id,
            now=runtime.clock(),
            outcome="success",
            version=committed,
            error=f"committed, then {reason.removeprefix('abandoned: ')} while delivering alerts",
        )
    lease.release(database, LEASE_NAME, current.holder)


# --- the failure alert ---------------------------------------------------------------


def failure_identity(night: date) -> str:
    return f"{FAILURE_KIND}||{night.isoformat()}"


def raise_failure_alert(
    database: Database, settings: Settings, *, night: date, error: str, now: datetime
) -> str:
    """Store a high-severity ``NIGHTLY_FAILED`` alert for ``night`` and deliver it.

    The next plan that commits resolves it like any alert it does not raise.
    """
    identity = failure_identity(night)
    with database.reading() as session:
        version = session.scalar(select(PlanVersion.id).where(PlanVersion.is_current.is_(True)))
        existing = session.scalar(select(Alert.id).where(Alert.identity == identity))
    kept = f"version {version}" if version is not None else "no plan yet"
    message = (
        f"The nightly re-plan for the night of {night.isoformat()} failed; the current plan "
        f"({kept}) is unchanged and the next run will try again. Error: {error}"
    )
    # The transaction starts with its write, so that on SQLite it waits for the lock.
    with database.transaction() as session:
        if existing is None:
            row = Alert(
                id=alert_id(identity),
                identity=identity,
                kind=FAILURE_KIND,
                severity="high",
                child_ref=None,
                worker_ref=None,
                session_id=None,
                start=night,
                end=night,
                message=message,
                status="open",
                first_seen_version=version or 0,
                last_seen_version=version or 0,
                created_at=now,
                updated_at=now,
                delivered_at=None,
                delivery_attempts=0,
            )
            session.add(row)
        else:
            reopened = Alert.status != "open"
            session.execute(
                update(Alert)
                .where(Alert.id == existing)
                .values(
                    severity="high",
                    message=message,
                    last_seen_version=func.coalesce(version, Alert.last_seen_version),
                    updated_at=now,
                    # Open again, and to be delivered again, if it had been closed.
                    delivered_at=case((reopened, None), else_=Alert.delivered_at),
                    status="open",
                )
            )
    alert = alert_id(identity) if existing is None else existing
    report = deliver_alerts(database, settings, now=now)
    if alert in report.failed:
        log.error("the nightly failure alert could not be delivered: %s", report.failed[alert])
    return alert

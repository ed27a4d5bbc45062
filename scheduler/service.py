"""The nightly service: an APScheduler 3 scheduler persisted in the product database.

One job, :data:`scheduler.nightly.JOB_ID`, fires at the configured local time in the
configured zone (:class:`scheduler.nightly.NightlyTrigger`). It is stored in the
product database (``apscheduler_jobs``, APScheduler's SQLAlchemy job store) and added
at every start with ``replace_existing=True``, so restarts and several instances
keep exactly one job. Its options are chosen on purpose:

* ``coalesce=True``: runs missed while the process was stalled become one run;
* ``misfire_grace_time`` = :data:`GRACE` (6 h): a run more than six hours late is
  dropped, since a plan made at lunchtime for the night before helps nobody more
  than the next night's;
* ``max_instances=1``: never two runs of the job in one process (the lease sees to
  it across processes).

Adding the job with ``replace_existing`` recomputes its next run time, so the
scheduler alone would forget a night missed while the service was down. Like
systemd's ``Persistent=true``, :meth:`NightlyService.start` looks at the run records
instead: when the last scheduled time passed less than :data:`GRACE` ago without a
successful run, it runs once at start-up (a run killed mid-way is completed then).

``--run-now`` and the start-up catch-up are one-off jobs in a memory job store: they
must not outlive the process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from scheduler import nightly
from scheduler.db import Database, make_engine
from scheduler.models import NightlyRun
from scheduler.pipeline import AfterCommit
from scheduler.settings import Settings

log = logging.getLogger("keyworker.service")

Clock = Callable[[], datetime]
Health = tuple[bool, dict[str, Any]]

GRACE = timedelta(hours=6)
JOB_TABLE = "apscheduler_jobs"
# /healthz: how long after the scheduled time a run may take to show up, and how long
# a run marked running counts as in progress (a longer one was cut short).
START_SLACK = timedelta(minutes=10)
RUN_STALE = timedelta(hours=2)


def build_scheduler(database: Database, settings: Settings) -> BackgroundScheduler:
    """The scheduler with the nightly job (when enabled) added, not yet started."""
    store = SQLAlchemyJobStore(engine=make_engine(database.url), tablename=JOB_TABLE)
    _ensure_job_table(store)
    scheduler = BackgroundScheduler(
        jobstores={"default": store, "local": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(2)},
        job_defaults={
            "coalesce": True,
            "misfire_grace_time": int(GRACE.total_seconds()),
            "max_instances": 1,
        },
        timezone=settings.zone,
    )
    if settings.nightly_enabled:
        scheduler.add_job(
            nightly.nightly_job,
            trigger=nightly.nightly_trigger(settings),
            id=nightly.JOB_ID,
            name="re-plan every team and commit",
            kwargs={"trigger": "schedule"},
            jobstore="default",
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=int(GRACE.total_seconds()),
            max_instances=1,
        )
    return scheduler


def _ensure_job_table(store: SQLAlchemyJobStore, attempts: int = 20) -> None:
    """Create ``apscheduler_jobs``; instances starting at once may race to do it.

    The loser gets an error at once (PostgreSQL: the table exists after all; SQLite:
    "database is locked", as a read-then-write transaction cannot wait for the lock):
    look again shortly.
    """
    for attempt in range(attempts):
        try:
            store.jobs_t.create(store.engine, checkfirst=True)
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            log.info("the job table was being created by another instance; checking again")
            time.sleep(0.1 + 0.05 * attempt)


def catch_up_slot(database: Database, settings: Settings, now: datetime) -> datetime | None:
    """The scheduled time to catch up at start-up, if any (see the module docstring)."""
    if not settings.nightly_enabled:
        return None
    slot = nightly.last_slot(settings, now)
    if now - slot > GRACE:
        return None
    zone = settings.zone
    with database.reading() as session:
        if nightly.night_succeeded(session, nightly.night_of(slot, zone), zone) is not None:
            return None
    return slot


class NightlyService:
    """The scheduler, the job's runtime and the health check, for ``keyworker serve``."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        clock: Clock = nightly.utc_now,
        after_commit: AfterCommit | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.clock = clock
        self.runtime = nightly.NightlyRuntime(
            database, settings, clock=clock, after_commit=after_commit
        )
        self.started_at = clock()
        self.scheduler: BackgroundScheduler | None = None

    def start(self, *, run_now: bool = False) -> datetime | None:
        """Start the scheduler; run at once when asked or when a night was missed.

        Returns the missed scheduled time being caught up, if any.
        """
        self.started_at = self.clock()
        nightly.install(self.runtime)
        scheduler = build_scheduler(self.database, self.settings)
        if not self.settings.nightly_enabled:
            _remove_stored_job(scheduler)
        scheduler.start()
        self.scheduler = scheduler
        slot = catch_up_slot(self.database, self.settings, self.started_at)
        if run_now or slot is not None:
            # A run-now while a night is due stands in for that night too.
            self.run_once("run-now" if run_now else "startup", slot)
        if slot is not None:
            log.info("the run scheduled for %s was missed: running it now", slot.isoformat())
        job = scheduler.get_job(nightly.JOB_ID)
        if job is not None:
            log.info("next nightly re-plan at %s", job.next_run_time.isoformat())
        return slot

    def run_once(self, trigger: str, slot: datetime | None = None) -> None:
        """Queue one run now (a one-off job in the memory store)."""
        assert self.scheduler is not None, "start() first"
        self.scheduler.add_job(
            nightly.nightly_job,
            trigger="date",
            run_date=self.clock(),
            id=f"{nightly.JOB_ID}:{trigger}",
            kwargs={"trigger": trigger, "slot": slot.isoformat() if slot else None},
            jobstore="local",
            replace_existing=True,
            misfire_grace_time=None,
        )

    def stop(self, timeout: float = 3.0) -> bool:
        """Stop scheduling; let a run in progress finish or abandon itself.

        Returns True when no run is in progress any more; False when one is still
        inside its transaction after ``timeout`` seconds: the caller then exits the
        process, which rolls the transaction back.
        """
        self.runtime.stop.set()
        if self.scheduler is not None:
            shutdown_scheduler(self.scheduler)
        finished = self.runtime.idle.wait(timeout)
        if finished:
            nightly.install(None)
        return finished

    def health(self) -> Health:
        return health_report(
            self.database, self.settings, now=self.clock(), started_at=self.started_at
        )


def shutdown_scheduler(scheduler: BackgroundScheduler) -> None:
    """Stop ``scheduler`` without waiting for a running job, and close its connections.

    APScheduler disposes the job store's engine and then lets its thread look for due
    jobs once more, which opens a fresh connection; dispose again once it has gone.
    """
    if scheduler.running:
        scheduler.shutdown(wait=False)
    for store in scheduler._jobstores.values():
        if isinstance(store, SQLAlchemyJobStore):
            store.engine.dispose()


def _remove_stored_job(scheduler: BackgroundScheduler) -> None:
    store = scheduler._jobstores["default"]  # not started yet: ask the store itself
    store.start(scheduler, "default")
    if store.lookup_job(nightly.JOB_ID) is not None:
        store.remove_job(nightly.JOB_ID)
        log.info("nightly re-planning is disabled: removed the stored job")


# --- /healthz --------------------------------------------------------------------------


def _run_json(run: NightlyRun | None, settings: Settings) -> dict[str, Any] | None:
    if run is None:
        return None
    zone = settings.zone

    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(zone).isoformat() if moment else None

    return {
        "id": run.id,
        "trigger": run.trigger,
        "scheduled_for": local(run.scheduled_for),
        "started_at": local(run.started_at),
        "finished_at": local(run.finished_at),
        "outcome": run.outcome,
        "plan_version": run.plan_version_id,
        "changes": run.changes,
        "alerts": run.alerts,
        "error": run.error,
    }


def health_report(
    database: Database, settings: Settings, *, now: datetime, started_at: datetime
) -> Health:
    """Whether last night's re-plan happened and succeeded, for ``/healthz``.

    OK when a run for the last scheduled night (or any run started since that time)
    succeeded; also while that run is in progress, in the first minutes after the
    scheduled time, and on a new installation that has not yet seen a night. Failing
    (503) when that run failed, or did not happen, or the database is unreachable.
    """
    zone = settings.zone
    try:
        with database.reading() as session:
            session.execute(text("SELECT 1"))
            last_success = session.scalars(
                select(NightlyRun)
                .where(NightlyRun.outcome == "success")
                .order_by(NightlyRun.started_at.desc(), NightlyRun.id.desc())
                .limit(1)
            ).first()
            last_run = session.scalars(
                select(NightlyRun).order_by(NightlyRun.started_at.desc(), NightlyRun.id.desc())
            ).first()
            if not settings.nightly_enabled:
                covering: list[NightlyRun] = []
                slot = None
            else:
                slot = nightly.last_slot(settings, now)
                start, end = nightly.night_bounds(nightly.night_of(slot, zone), zone)
                covering = [
                    run
                    for run in session.scalars(
                        select(NightlyRun)
                        .where(NightlyRun.started_at >= min(slot, start))
                        .order_by(NightlyRun.id)
                    )
                    if run.started_at >= slot
                    or (run.scheduled_for is not None and start <= run.scheduled_for < end)
                ]
    except Exception as exc:
        log.warning("health: database unreachable: %s", type(exc).__name__)
        return False, {"database": "unreachable"}
    details: dict[str, Any] = {
        "database": "ok",
        "nightly": {
            "enabled": settings.nightly_enabled,
            "time": settings.nightly_time.strftime("%H:%M"),
            "timezone": settings.timezone,
        },
        "last_success": _run_json(last_success, settings),
        "last_run": _run_json(last_run, settings),
    }
    if slot is None:
        details["nightly"]["state"] = "disabled"
        return True, details
    night = nightly.night_of(slot, zone)
    details["nightly"]["last_scheduled"] = slot.astimezone(zone).isoformat()
    details["nightly"]["next_scheduled"] = (
        nightly.next_slot(settings, now).astimezone(zone).isoformat()
    )
    state, ok, reason = _judge(
        covering, slot, now=now, started_at=started_at, last_run=last_run, night=night.isoformat()
    )
    details["nightly"]["state"] = state
    details["nightly"]["night"] = night.isoformat()
    if reason:
        details["reason"] = reason
    return ok, details


def _judge(
    covering: list[NightlyRun],
    slot: datetime,
    *,
    now: datetime,
    started_at: datetime,
    last_run: NightlyRun | None,
    night: str,
) -> tuple[str, bool, str]:
    if any(run.outcome == "success" for run in covering):
        return "success", True, ""
    if any(run.outcome == "running" and now - run.started_at < RUN_STALE for run in covering):
        return "running", True, ""
    if covering:
        error = covering[-1].error or "no error recorded"
        return "failed", False, f"the nightly re-plan of the night of {night} failed: {error}"
    if now - slot < START_SLACK:
        return "pending", True, ""
    if last_run is None and started_at > slot:
        return "waiting", True, "no night has passed since the service started"
    return (
        "missed",
        False,
        f"the nightly re-plan of the night of {night} did not happen "
        "(the service was not running at the scheduled time, or it was too late to catch up)",
    )

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

The modules: :mod:`.trigger` (when the night is), :mod:`.runtime` and :mod:`.job`
(what the service installs, and the job), :mod:`.run` (one run under the lease),
:mod:`.record` (the run record in ``nightly_runs``) and :mod:`.failure` (the error
and the ``NIGHTLY_FAILED`` alert).
"""

from __future__ import annotations

from scheduler.nightly.failure import (
    ERROR_CHARS,
    FAILURE_KIND,
    describe,
    failure_identity,
    raise_failure_alert,
)
from scheduler.nightly.job import JOB_ID, install, nightly_job
from scheduler.nightly.record import (
    ACTOR,
    abandon_orphans,
    committed_version,
    finish_record,
    night_succeeded,
    start_record,
)
from scheduler.nightly.run import LEASE_NAME, TRIGGERS, RunResult, abandon_in_progress, run_night
from scheduler.nightly.runtime import LEASE_WAIT, Clock, InProgress, NightlyRuntime, utc_now
from scheduler.nightly.trigger import (
    NightlyTrigger,
    last_slot,
    next_slot,
    night_bounds,
    night_of,
    nightly_trigger,
)

__all__ = [
    "ACTOR",
    "ERROR_CHARS",
    "FAILURE_KIND",
    "JOB_ID",
    "LEASE_NAME",
    "LEASE_WAIT",
    "TRIGGERS",
    "Clock",
    "InProgress",
    "NightlyRuntime",
    "NightlyTrigger",
    "RunResult",
    "abandon_in_progress",
    "abandon_orphans",
    "committed_version",
    "describe",
    "failure_identity",
    "finish_record",
    "install",
    "last_slot",
    "next_slot",
    "night_bounds",
    "night_of",
    "night_succeeded",
    "nightly_job",
    "nightly_trigger",
    "raise_failure_alert",
    "run_night",
    "start_record",
    "utc_now",
]

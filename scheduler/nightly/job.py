"""The one scheduled job (id :data:`JOB_ID`), and the runtime the service installs for it.

A job in a persistent job store is pickled by reference, so it cannot carry the
database or the settings: the service installs them with :func:`install` before the
scheduler starts.
"""

from __future__ import annotations

import logging
from datetime import datetime

from scheduler.nightly.run import run_night
from scheduler.nightly.runtime import NightlyRuntime

log = logging.getLogger("keyworker.nightly")

JOB_ID = "keyworker-nightly-replan"

_runtime: NightlyRuntime | None = None


def install(runtime: NightlyRuntime | None) -> None:
    """Make ``runtime`` the one :func:`nightly_job` uses (None uninstalls)."""
    global _runtime  # noqa: PLW0603  # the job is pickled by reference; see the docstring
    _runtime = runtime


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


# Stored in the persistent job store by reference, as "scheduler.nightly:nightly_job":
# the name every version of keyworker sharing the database can load.
nightly_job.__module__ = "scheduler.nightly"

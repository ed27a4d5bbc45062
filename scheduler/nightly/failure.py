"""A failed run: its error as a manager reads it, and the high-severity alert it raises."""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import case, func, select, update

from scheduler.alerts import alert_id
from scheduler.db import Database
from scheduler.errors import KeyworkerError
from scheduler.models import Alert, PlanVersion
from scheduler.notify import deliver_alerts
from scheduler.settings import Settings

log = logging.getLogger("keyworker.nightly")

FAILURE_KIND = "NIGHTLY_FAILED"
ERROR_CHARS = 2000


def describe(exc: BaseException) -> str:
    """The error as a manager reads it: our own errors as written, others with their type."""
    text = str(exc).strip() or type(exc).__name__
    if not isinstance(exc, KeyworkerError):
        text = f"{type(exc).__name__}: {text}"
    return text[:ERROR_CHARS]


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

"""The stored domain: SQLAlchemy 2 typed ORM models.

What is imported from CSV (workers, their windows and absences, children,
support plans) is kept apart from what planning produces (plan versions, the
sessions of the current plan, allocation history, alerts) and from what the
service records about itself (nightly runs, leases, feed tokens, audit log): the
modules :mod:`.imported`, :mod:`.planning` and :mod:`.service_records`, on the one
:class:`Base` of :mod:`.base`. Importing this package registers every table with
``Base.metadata`` (Alembic's ``env.py`` relies on it).

All datetimes are aware and stored as UTC; dates are local calendar dates in
the configured time zone.
"""

from __future__ import annotations

from scheduler.models.base import NAMING_CONVENTION, Base
from scheduler.models.imported import (
    Absence,
    Child,
    ChildWindow,
    Closure,
    SupportPlan,
    Worker,
    WorkerWindow,
)
from scheduler.models.planning import (
    Alert,
    KeyWorkerHistory,
    PlanAllocation,
    PlanProposal,
    PlanVersion,
    Session,
    SessionOutcome,
)
from scheduler.models.service_records import AuditEntry, FeedCache, FeedToken, Lease, NightlyRun

__all__ = [
    "NAMING_CONVENTION",
    "Absence",
    "Alert",
    "AuditEntry",
    "Base",
    "Child",
    "ChildWindow",
    "Closure",
    "FeedCache",
    "FeedToken",
    "KeyWorkerHistory",
    "Lease",
    "NightlyRun",
    "PlanAllocation",
    "PlanProposal",
    "PlanVersion",
    "Session",
    "SessionOutcome",
    "SupportPlan",
    "Worker",
    "WorkerWindow",
]

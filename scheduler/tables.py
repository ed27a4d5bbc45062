"""Light SQLAlchemy Core handles on the stored tables, for the read views that must
start fast (``show workers``, ``show children``, ``alerts``, ``runs``).

The schema is defined once, by the ORM models in :mod:`scheduler.models` (and the
migrations); importing them costs the ORM and 19 mapped classes, about half of a read
command's start-up (bench/STARTUP.md). These are ``sqlalchemy.table()`` handles instead:
names and result types only, no ``MetaData``, no constraints, only the columns the
light views read. ``tests/scheduler/test_tables.py`` checks every column here against
the models, so the two cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import JSON, Date, Float, Integer, String, Text, column, table

from scheduler.types import UTCDateTime

workers = table(
    "workers",
    column("id", Integer),
    column("ref", String),
    column("name", String),
    column("team", String),
    column("hours_per_week", Float),
    column("max_caseload", Integer),
    column("skills", JSON),
    column("languages", JSON),
    column("end_date", Date),
)

worker_windows = table(
    "worker_windows",
    column("id", Integer),
    column("worker_id", Integer),
    column("weekday", Integer),
    column("start_minute", Integer),
    column("end_minute", Integer),
)

children = table(
    "children",
    column("id", Integer),
    column("ref", String),
    column("initials", String),
    column("team", String),
    column("risk", String),
    column("required_skills", JSON),
    column("language", String),
    column("pinned_worker_id", Integer),
)

support_plans = table(
    "support_plans",
    column("id", Integer),
    column("child_id", Integer),
)

key_worker_history = table(
    "key_worker_history",
    column("id", Integer),
    column("child_id", Integer),
    column("worker_id", Integer),
    column("role", String),
    column("start_date", Date),
    column("end_date", Date),
)

alerts = table(
    "alerts",
    column("id", String),
    column("kind", String),
    column("severity", String),
    column("child_ref", String),
    column("worker_ref", String),
    column("start", Date),
    column("end", Date),
    column("message", Text),
    column("status", String),
    column("delivered_at", UTCDateTime),
)

nightly_runs = table(
    "nightly_runs",
    column("id", Integer),
    column("scheduled_for", UTCDateTime),
    column("started_at", UTCDateTime),
    column("finished_at", UTCDateTime),
    column("outcome", String),
    column("trigger", String),
    column("plan_version_id", Integer),
    column("changes", Integer),
    column("alerts", Integer),
    column("error", Text),
    column("host", String),
    column("pid", Integer),
)

ALL = (
    workers, worker_windows, children, support_plans, key_worker_history, alerts,
    nightly_runs,
)  # fmt: skip

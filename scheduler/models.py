"""The stored domain: SQLAlchemy 2 typed ORM models.

What is imported from CSV (workers, their windows and absences, children,
support plans) is kept apart from what planning produces (plan versions, the
sessions of the current plan, allocation history, alerts) and from what the
service records about itself (nightly runs, leases, feed tokens, audit log).

All datetimes are aware and stored as UTC; dates are local calendar dates in
the configured time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from scheduler.types import UTCDateTime

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


# --- imported from CSV -------------------------------------------------------------------


class Worker(Base):
    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    team: Mapped[str] = mapped_column(String(100), index=True)
    hours_per_week: Mapped[float] = mapped_column(Float)
    max_caseload: Mapped[int] = mapped_column(Integer)
    skills: Mapped[list[str]] = mapped_column(default=list)
    languages: Mapped[list[str]] = mapped_column(default=list)
    gender: Mapped[str | None] = mapped_column(String(50))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    windows: Mapped[list[WorkerWindow]] = relationship(
        back_populates="worker", cascade="all, delete-orphan", order_by="WorkerWindow.id"
    )
    absences: Mapped[list[Absence]] = relationship(
        back_populates="worker", cascade="all, delete-orphan", order_by="Absence.start_date"
    )


class WorkerWindow(Base):
    """One availability window: weekday 0=Monday, minutes after local midnight."""

    __tablename__ = "worker_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)

    worker: Mapped[Worker] = relationship(back_populates="windows")


class Absence(Base):
    __tablename__ = "absences"
    __table_args__ = (UniqueConstraint("worker_id", "start_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20), default="leave")
    note: Mapped[str | None] = mapped_column(Text)

    worker: Mapped[Worker] = relationship(back_populates="absences")


class Closure(Base):
    """Days a team (``team`` None: every team) is closed, first and last day inclusive.

    Imported from closures.csv, keyed by (team, start_date). Bank holidays are not stored:
    they are read from the ``holidays`` library when a plan is made.
    """

    __tablename__ = "closures"
    __table_args__ = (UniqueConstraint("team", "start_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team: Mapped[str | None] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class Child(Base):
    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    initials: Mapped[str | None] = mapped_column(String(20))
    team: Mapped[str] = mapped_column(String(100), index=True)
    required_skills: Mapped[list[str]] = mapped_column(default=list)
    language: Mapped[str | None] = mapped_column(String(50))
    preferred_gender: Mapped[str | None] = mapped_column(String(50))
    preferred_workers: Mapped[list[str]] = mapped_column(default=list)
    excluded_workers: Mapped[list[str]] = mapped_column(default=list)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    risk: Mapped[str] = mapped_column(String(10), default="medium")
    # The case record's key worker as last imported: an import changes the current key
    # worker only when this value changes, so re-importing an old export undoes nothing.
    case_key_worker: Mapped[str | None] = mapped_column(String(64))
    case_key_worker_since: Mapped[date | None] = mapped_column(Date)
    pinned_worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL")
    )
    # ``pin --from``: the pinned worker takes over on this day (None: at once)
    pinned_from: Mapped[date | None] = mapped_column(Date)

    windows: Mapped[list[ChildWindow]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="ChildWindow.id"
    )
    plans: Mapped[list[SupportPlan]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="SupportPlan.start_date"
    )
    pinned_worker: Mapped[Worker | None] = relationship()


class ChildWindow(Base):
    __tablename__ = "child_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)

    child: Mapped[Child] = relationship(back_populates="windows")


class SupportPlan(Base):
    __tablename__ = "support_plans"
    __table_args__ = (UniqueConstraint("child_id", "start_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    sessions: Mapped[int] = mapped_column(Integer)
    every_weeks: Mapped[int] = mapped_column(Integer, default=1)
    session_minutes: Mapped[int] = mapped_column(Integer)
    max_gap_days: Mapped[int] = mapped_column(Integer, default=14)
    # Set when a later plan closed this open-ended one, so importing the same
    # open-ended row again does not reopen it.
    closed_by_import: Mapped[bool] = mapped_column(Boolean, default=False)

    child: Mapped[Child] = relationship(back_populates="plans")


# --- produced by planning ----------------------------------------------------------------


class PlanVersion(Base):
    """A committed plan. Version numbers are the primary key and only grow."""

    __tablename__ = "plan_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    committed_at: Mapped[datetime]
    committed_by: Mapped[str] = mapped_column(String(100))
    as_of: Mapped[datetime]
    horizon_start: Mapped[date] = mapped_column(Date)
    horizon_end: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    teams: Mapped[list[str]] = mapped_column(default=list)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    allocations: Mapped[list[PlanAllocation]] = relationship(
        back_populates="plan_version", cascade="all, delete-orphan", order_by="PlanAllocation.id"
    )


class PlanProposal(Base):
    """A plan shown by ``plan`` (a dry run), kept so that ``plan --commit`` commits
    exactly that plan when nothing it was made from has changed since."""

    __tablename__ = "plan_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    as_of: Mapped[datetime]
    horizon_start: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int] = mapped_column(Integer)
    teams: Mapped[list[str]] = mapped_column(default=list)
    timezone: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    solution: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PlanAllocation(Base):
    """One child's key-worker period in one committed plan (the Plan JSON allocation)."""

    __tablename__ = "plan_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="CASCADE"), index=True
    )
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    key_worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"))
    secondary_worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    since: Mapped[date | None] = mapped_column(Date)
    changed: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)

    plan_version: Mapped[PlanVersion] = relationship(back_populates="allocations")
    child: Mapped[Child] = relationship()
    key_worker: Mapped[Worker | None] = relationship(foreign_keys=[key_worker_id])
    secondary_worker: Mapped[Worker | None] = relationship(foreign_keys=[secondary_worker_id])


class KeyWorkerHistory(Base):
    """Who was a child's key or secondary worker from when to when, and why it changed."""

    __tablename__ = "key_worker_history"
    __table_args__ = (Index("ix_key_worker_history_child_role", "child_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))  # "key" or "secondary"
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)  # inclusive; None while current
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # "import", "plan", "pin"
    plan_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime]

    child: Mapped[Child] = relationship()
    worker: Mapped[Worker] = relationship()


class Session(Base):
    """A support session of the current plan, held or planned.

    The id is stable across re-plans for as long as the session exists; it is the
    calendar UID. A session dropped by a re-plan is kept with ``removed_in`` set so its
    id is never reused and feeds can drop it.
    """

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_worker_start", "worker_id", "start"),
        Index("ix_sessions_child_start", "child_id", "start"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    with_worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), index=True)
    start: Mapped[datetime]
    end: Mapped[datetime]
    cover: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Raised whenever time, worker or status changes, so calendar clients update.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_in: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"))
    updated_in: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"))
    removed_in: Mapped[int | None] = mapped_column(ForeignKey("plan_versions.id"), index=True)
    updated_at: Mapped[datetime]

    child: Mapped[Child] = relationship()
    worker: Mapped[Worker] = relationship(foreign_keys=[worker_id])
    with_worker: Mapped[Worker | None] = relationship(foreign_keys=[with_worker_id])


class Alert(Base):
    """A stored alert. ``identity`` is kind + child + worker (+ session / period / gap)."""

    __tablename__ = "alerts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    identity: Mapped[str] = mapped_column(String(400), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(10))
    child_ref: Mapped[str | None] = mapped_column(String(64))
    worker_ref: Mapped[str | None] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(String(64))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    message: Mapped[str] = mapped_column(Text)
    # "open" while the current plan raises it, "acknowledged", or "resolved" once it no
    # longer does.
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    acknowledged_severity: Mapped[str | None] = mapped_column(String(10))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    acknowledged_note: Mapped[str | None] = mapped_column(Text)
    first_seen_version: Mapped[int]
    last_seen_version: Mapped[int]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivery_error: Mapped[str | None] = mapped_column(Text)


class SessionOutcome(Base):
    """What happened to a session: ``held``, ``cancelled`` or ``did-not-attend``.

    Keyed by child and start, so one record serves a session of a committed plan
    (``session_id`` set) and a session held before go-live or planned elsewhere (no
    session row). ``worker_id`` is who held it where that was not the planned worker;
    for a session in no plan, who held it.
    """

    __tablename__ = "session_outcomes"
    __table_args__ = (UniqueConstraint("child_id", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    start: Mapped[datetime]
    session_id: Mapped[str | None] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # "record" or "import"
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(100))


# --- the service's own records -----------------------------------------------------------


class NightlyRun(Base):
    __tablename__ = "nightly_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheduled_for: Mapped[datetime | None]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(20), index=True)  # running, success, failed
    trigger: Mapped[str] = mapped_column(String(20))  # schedule, startup, run-now
    plan_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="SET NULL")
    )
    changes: Mapped[int | None] = mapped_column(Integer)
    alerts: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)


class Lease(Base):
    """A named lease so that only one process re-plans at a time, on any backend."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime | None]


class FeedToken(Base):
    """A subscribe token, stored only as its SHA-256 hash."""

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="CASCADE"), index=True
    )
    team: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class FeedCache(Base):
    """A rendered feed body, refreshed after every commit, served as stored."""

    __tablename__ = "feed_cache"

    owner: Mapped[str] = mapped_column(String(200), primary_key=True)  # "worker:W007"/"team:X"
    body: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(80))
    last_modified: Mapped[datetime]
    window_start: Mapped[datetime]


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)  # wall-clock time of the action
    as_of: Mapped[datetime | None]  # the --as-of it was told to act as, if any
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[str] = mapped_column(Text)

"""What planning produces: plan versions and stored proposals, allocations, the
key-worker history, the sessions of the current plan, alerts and recorded outcomes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base
from scheduler.models.imported import Child, Worker


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

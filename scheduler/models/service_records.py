"""What the service records about itself: nightly runs, leases, feed tokens, the feed
cache and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.models.base import Base


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

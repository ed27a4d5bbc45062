"""What is imported from CSV: workers, their windows and absences, closures, children,
their windows and support plans."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base


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

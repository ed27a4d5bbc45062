"""The plain records the report reads from the database, once (:mod:`.loading`).

No ORM object leaves :mod:`scheduler.report.loading`: everything after it works on
these frozen records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from scheduler.outcomes import NO_CONTACT


@dataclass(frozen=True, slots=True)
class WorkerRecord:
    id: int
    ref: str
    name: str
    team: str
    gender: str | None
    hours_per_week: float
    start_date: date | None
    end_date: date | None


@dataclass(frozen=True, slots=True)
class ChildRecord:
    id: int
    ref: str
    team: str
    risk: str
    preferred_workers: tuple[str, ...]
    preferred_gender: str | None


@dataclass(frozen=True, slots=True)
class PlanRecord:
    child_id: int
    start_date: date
    end_date: date | None
    max_gap_days: int
    sessions: int = 1
    every_weeks: int = 1


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One ``role="key"`` KeyWorkerHistory row."""

    id: int
    child_id: int
    worker_id: int
    start_date: date
    end_date: date | None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A stored session (``worker_id`` is who held it, where recorded) or a session held
    in no plan; ``outcome`` as recorded, ``None`` where nothing is."""

    child_id: int
    worker_id: int
    with_worker_id: int | None
    start: datetime
    end: datetime
    outcome: str | None = None

    @property
    def is_contact(self) -> bool:
        return self.outcome not in NO_CONTACT


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """An open stored alert (status ``open``: not acknowledged, not resolved)."""

    id: str
    kind: str
    severity: str
    child_ref: str | None
    worker_ref: str | None


@dataclass(frozen=True, slots=True)
class History:
    """Everything the report needs, read in one go; no ORM object leaves :func:`load_history`."""

    workers: tuple[WorkerRecord, ...]
    children: tuple[ChildRecord, ...]
    plans: tuple[PlanRecord, ...]
    key_rows: tuple[KeyRecord, ...]
    sessions: tuple[SessionRecord, ...]
    records_start: date | None = None  # the first day keyworker has sessions for
    horizon: tuple[date, date] | None = None  # the current plan's
    alerts: tuple[AlertRecord, ...] = ()  # the open ones

"""The current plan's figure for the coming weeks, as its commit stored it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import PlanVersion


@dataclass(frozen=True, slots=True)
class PlanOutlook:
    """The current plan's figure for the coming weeks, beside the most it could be: the
    share of sessions the key worker could deliver at all, given absences and leavers,
    so that an unavoidable break reads differently from a poor plan."""

    version: int
    horizon_start: date
    horizon_end: date
    with_key_worker_pct: float
    ceiling_pct: float | None


def plan_outlook(session: Session) -> PlanOutlook | None:
    version = session.scalar(select(PlanVersion).where(PlanVersion.is_current.is_(True)))
    if version is None or "sessions_with_key_worker_pct" not in version.metrics:
        return None
    ceiling = version.metrics.get("key_worker_ceiling_pct")
    return PlanOutlook(
        version.id,
        version.horizon_start,
        version.horizon_end,
        float(version.metrics["sessions_with_key_worker_pct"]),
        None if ceiling is None else float(ceiling),
    )

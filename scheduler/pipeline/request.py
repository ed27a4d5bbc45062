"""What a re-plan is asked for, and the callables it is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

import solver
from scheduler.mapping import Scope
from scheduler.settings import Settings

Progress = Callable[[str], None]
AfterCommit = Callable[[Session, datetime], None]
# How to run the solver: ``solver.solve`` here, or in a child process (the nightly run).
Solve = Callable[[solver.Instance, solver.SolverParams, Progress], solver.Solution]


@dataclass(frozen=True, slots=True)
class PlanRequest:
    now: datetime
    start: date
    weeks: int
    teams: tuple[str, ...] = ()


def solver_params(settings: Settings) -> solver.SolverParams:
    return solver.SolverParams(time_limit_seconds=settings.time_limit_seconds)


def scope(settings: Settings, request: PlanRequest) -> Scope:
    return Scope(
        now=request.now,
        start=request.start,
        weeks=request.weeks,
        timezone=settings.timezone,
        freeze_hours=settings.freeze_hours,
        teams=request.teams,
        bank_holidays=settings.holiday_region,
    )

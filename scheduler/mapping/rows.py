"""Stored rows as solver types: a child, a support plan, availability windows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from typing import Protocol

import solver


class ChildFacts(Protocol):
    """What a stored child and an imported children.csv row both say about a child."""

    @property
    def ref(self) -> str: ...
    @property
    def team(self) -> str: ...
    @property
    def required_skills(self) -> list[str]: ...
    @property
    def language(self) -> str | None: ...
    @property
    def preferred_gender(self) -> str | None: ...
    @property
    def preferred_workers(self) -> list[str]: ...
    @property
    def excluded_workers(self) -> list[str]: ...
    @property
    def lat(self) -> float | None: ...
    @property
    def lon(self) -> float | None: ...
    @property
    def risk(self) -> str: ...
    @property
    def windows(self) -> Sequence[object]: ...


def solver_child(c: ChildFacts) -> solver.Child:
    """The child as the solver sees them, before any relationship history."""
    return solver.Child(
        ref=c.ref,
        team=c.team,
        required_skills=frozenset(c.required_skills),
        language=c.language,
        preferred_gender=c.preferred_gender,
        preferred_workers=tuple(c.preferred_workers),
        excluded_workers=frozenset(c.excluded_workers),
        availability=solver_windows(c.windows),
        lat=c.lat,
        lon=c.lon,
        risk=c.risk,
    )


class PlanFacts(Protocol):
    """What a stored support plan and an imported plans.csv row both say about a plan."""

    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date | None: ...
    @property
    def sessions(self) -> int: ...
    @property
    def every_weeks(self) -> int: ...
    @property
    def session_minutes(self) -> int: ...
    @property
    def max_gap_days(self) -> int: ...


def solver_plan(child: str, p: PlanFacts) -> solver.SupportPlan:
    """The support plan of child ``child`` as the solver sees it."""
    return solver.SupportPlan(
        child=child,
        start_date=p.start_date,
        end_date=p.end_date,
        sessions=p.sessions,
        every_weeks=p.every_weeks,
        session_minutes=p.session_minutes,
        max_gap_days=p.max_gap_days,
    )


def solver_windows(rows: Sequence[object]) -> tuple[solver.Window, ...]:
    out = []
    for row in rows:
        weekday, start, end = (
            getattr(row, "weekday"),  # noqa: B009 - worker and child windows alike
            getattr(row, "start_minute"),  # noqa: B009
            getattr(row, "end_minute"),  # noqa: B009
        )
        out.append(solver.Window(weekday, clock(start), clock(end)))
    return tuple(out)


def clock(minute: int) -> time:
    return time(min(minute // 60, 23), minute % 60 if minute < 24 * 60 else 59)

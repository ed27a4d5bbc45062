"""Builders for tiny hand-made solver instances (``make_worker(**overrides)`` style)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from solver import (
    Child,
    ExistingSession,
    Instance,
    Solution,
    SolverParams,
    SupportPlan,
    Window,
    Worker,
)
from solver.solve import solve
from solver.validate import validate

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.date(2027, 1, 4)
NOW = dt.datetime(2027, 1, 3, 23, 0, tzinfo=dt.UTC)
OFFICE = tuple(Window(d, dt.time(9), dt.time(17)) for d in range(5))


def make_worker(ref: str = "W1", **overrides: Any) -> Worker:
    base = Worker(
        ref=ref,
        team="A",
        hours_per_week=30.0,
        max_caseload=10,
        skills=frozenset(),
        languages=frozenset({"en"}),
        gender=None,
        availability=OFFICE,
        lat=None,
        lon=None,
        start_date=None,
        end_date=None,
        absences=(),
    )
    return replace(base, **overrides)


def make_child(ref: str = "YP-1", **overrides: Any) -> Child:
    base = Child(
        ref=ref,
        team="A",
        required_skills=frozenset(),
        language=None,
        preferred_gender=None,
        preferred_workers=(),
        excluded_workers=frozenset(),
        availability=(),
        lat=None,
        lon=None,
        risk="medium",
        current_key_worker=None,
        key_worker_since=None,
    )
    return replace(base, **overrides)


def make_plan(child: str = "YP-1", **overrides: Any) -> SupportPlan:
    base = SupportPlan(
        child=child,
        start_date=dt.date(2026, 12, 7),
        end_date=None,
        sessions=1,
        every_weeks=1,
        session_minutes=60,
        max_gap_days=14,
    )
    return replace(base, **overrides)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def make_session(
    sid: str, child: str, worker: str, start: dt.datetime, minutes: int = 60, **overrides: Any
) -> ExistingSession:
    end = (start.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)).astimezone(LONDON)
    base = ExistingSession(sid, child, worker, None, start, end)
    return replace(base, **overrides)


def make_instance(
    workers: list[Worker],
    children: list[Child],
    plans: list[SupportPlan] | None = None,
    existing: list[ExistingSession] | None = None,
    **overrides: Any,
) -> Instance:
    if plans is None:
        plans = [make_plan(c.ref) for c in children]
    base = Instance(
        workers=tuple(workers),
        children=tuple(children),
        plans=tuple(plans),
        existing_sessions=tuple(existing or ()),
        now=NOW,
        horizon_start=MONDAY,
        weeks=2,
    )
    return replace(base, **overrides)


PARAMS = SolverParams(time_limit_seconds=10.0, num_workers=1, random_seed=0)


def solve_valid(instance: Instance, params: SolverParams = PARAMS) -> Solution:
    """Solve and insist the plan passes ``validate``."""
    solution = solve(instance, params)
    problems = validate(instance, solution)
    assert problems == [], problems
    return solution


def kinds(solution: Solution) -> list[str]:
    return [f.kind for f in solution.findings]

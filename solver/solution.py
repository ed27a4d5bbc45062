"""The solver's output: allocations, sessions, findings (alerts) and metrics.

Field names and meanings follow SPEC.md "Plan JSON"; the scheduler maps them
one to one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class Allocation:
    """One key-worker period of one planned child (SPEC "allocations")."""

    child: str
    key_worker: str | None
    secondary_worker: str | None
    start: dt.date
    end: dt.date
    since: dt.date | None
    changed: bool
    reason: str | None
    # the reason's code (solver.terms.Reason: "EXCLUDED", "LEFT", "CASELOAD", ...)
    reason_code: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedSession:
    """One session of the plan (SPEC "sessions"); ``with_worker`` is JSON ``with``."""

    id: str
    child: str
    worker: str
    with_worker: str | None
    start: dt.datetime
    end: dt.datetime
    past: bool
    locked: bool
    cover: bool


@dataclass(frozen=True, slots=True)
class Finding:
    """A break of goal 1 or 2 (or a leaver), which the scheduler stores as an alert."""

    kind: str
    severity: str
    child: str | None
    worker: str | None
    session: str | None
    start: dt.date
    end: dt.date
    message: str
    plan_start: dt.date | None = None
    # the figure of the plan in force the finding was judged by: max_gap_days for
    # CONTACT_GAP, the period's required count for UNMET_SESSIONS
    limit: int | None = None
    # the reason's code (solver.terms.Reason: "NO_SLOT", "ABSENT", ...), kept out of
    # the repr and the comparison so that a plan's findings read as before
    reason_code: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Metrics:
    children: int
    allocated: int
    keyworker_changes: int
    sessions_required: int
    sessions_scheduled: int
    sessions_with_key_worker_pct: float
    solve_seconds: float
    # the most sessions_with_key_worker_pct could be, given absences (solver/ceiling.py)
    key_worker_ceiling_pct: float = 100.0


@dataclass(frozen=True, slots=True)
class GoalBound:
    """Objective value and proven bound of one goal level, summed over all sub-models.

    ``stage`` is ``"allocation"`` or ``"timetable"``; ``optimal`` is true when every
    sub-model proved its level optimal.
    """

    stage: str
    level: int
    name: str
    value: int
    bound: int
    optimal: bool

    @property
    def gap(self) -> int:
        return self.value - self.bound


@dataclass(frozen=True, slots=True)
class Solution:
    allocations: tuple[Allocation, ...]
    sessions: tuple[PlannedSession, ...]
    findings: tuple[Finding, ...]
    metrics: Metrics
    status: str
    bounds: tuple[GoalBound, ...] = ()
    # the safety clock stopped a search before its work budget was spent: a rerun of
    # the same input may give another plan (the machine was far slower than usual)
    clock_stopped: bool = False


def solution_in_utc(solution: Solution) -> Solution:
    """The same plan with every session time in UTC (see ``instance.in_utc`` for why)."""
    return replace(
        solution,
        sessions=tuple(
            replace(s, start=s.start.astimezone(dt.UTC), end=s.end.astimezone(dt.UTC))
            for s in solution.sessions
        ),
    )

"""How imported support plans meet stored ones (SPEC "Import rules").

A plan whose start falls inside an open-ended plan of the same child (stored, or
earlier in the same import) ends that plan the day before; importing the same
open-ended row again later does not reopen it. Any other overlap is an error,
reported on the later line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from scheduler.csv_import.rows import PlanRow


@dataclass(frozen=True, slots=True)
class PlanState:
    """One plan of one child as it will be stored."""

    start_date: date
    end_date: date | None
    sessions: int
    every_weeks: int
    session_minutes: int
    max_gap_days: int
    closed_by_import: bool
    line: int | None = None  # the import line that last set it; None if only stored


@dataclass(frozen=True, slots=True)
class PlanConflict:
    line: int
    column: str
    message: str


def merge_plans(
    stored: list[PlanState], rows: list[PlanRow], absent: frozenset[str] = frozenset()
) -> tuple[dict[date, PlanState], list[PlanConflict]]:
    """One child's plans after the import, keyed by start date, and the conflicts found.

    ``absent``: the optional columns the file does not have; a stored plan keeps its
    values of those (a ``plans.csv`` without ``every_weeks`` must not make every plan
    weekly), a new one gets the defaults.
    """
    plans = {p.start_date: p for p in stored}
    conflicts: list[PlanConflict] = []
    for row in rows:
        earlier = plans.get(row.start_date)
        if earlier is not None and earlier.line is not None:
            conflicts.append(
                PlanConflict(
                    row.line,
                    "start_date",
                    f"child {row.child} already has a plan starting {row.start_date} "
                    f"on line {earlier.line}",
                )
            )
            continue
        end = row.end_date
        closed = False
        if earlier is not None and "end_date" in absent:
            end, closed = earlier.end_date, earlier.closed_by_import
        elif earlier is not None and earlier.closed_by_import and end is None:
            # The same open-ended row imported again: a later plan closed it; keep it closed.
            end, closed = earlier.end_date, True
        every, gap = row.every_weeks, row.max_gap_days
        if earlier is not None:
            every = earlier.every_weeks if "every_weeks" in absent else every
            gap = earlier.max_gap_days if "max_gap_days" in absent else gap
        candidate = PlanState(
            row.start_date, end, row.sessions, every, row.session_minutes, gap, closed, row.line
        )
        if earlier is None:
            open_before = [
                p for p in plans.values() if p.end_date is None and p.start_date < row.start_date
            ]
            for plan in open_before:
                plans[plan.start_date] = replace(
                    plan, end_date=row.start_date - timedelta(days=1), closed_by_import=True
                )
        clash = _first_overlap(candidate, plans.values())
        if clash is not None:
            where = f"line {clash.line}" if clash.line is not None else "the stored plans"
            until = clash.end_date.isoformat() if clash.end_date else "open-ended"
            conflicts.append(
                PlanConflict(
                    row.line,
                    "start_date",
                    f"plan for {row.child} overlaps the plan {clash.start_date}..{until} "
                    f"({where}); a child has at most one plan in force on any day",
                )
            )
            continue
        plans[row.start_date] = candidate
    return plans, conflicts


def _first_overlap(candidate: PlanState, plans: Iterable[PlanState]) -> PlanState | None:
    far = date.max
    for other in plans:
        if other.start_date == candidate.start_date:
            continue
        if candidate.start_date <= (other.end_date or far) and other.start_date <= (
            candidate.end_date or far
        ):
            return other
    return None

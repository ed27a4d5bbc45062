"""Who may do what, and on which days: planning rules 2 and 3 and the weekly capacity (rule 6)."""

from __future__ import annotations

import datetime as dt

from solver.instance import Child, Worker
from solver.terms import Cause, Fact, Reason
from solver.timegrid import stretches


def employed(worker: Worker, day: dt.date) -> bool:
    """Rule 2, first half: inside the employment window."""
    if worker.start_date is not None and day < worker.start_date:
        return False
    return worker.end_date is None or day <= worker.end_date


def absent(worker: Worker, day: dt.date) -> bool:
    return any(a.start <= day <= a.end for a in worker.absences)


def closure_on(worker: Worker, day: dt.date) -> str | None:
    """Why the worker's team is closed on ``day`` (an absence with ``closure`` set)."""
    for a in worker.absences:
        if a.closure is not None and a.start <= day <= a.end:
            return a.closure
    return None


def at_work(worker: Worker, day: dt.date) -> bool:
    """Rule 2: employed that day and not absent."""
    return employed(worker, day) and not absent(worker, day)


def skill_cause(worker: Worker, child: Child) -> Cause | None:
    """Rule 3 for any session worker: why ``worker`` may not work with ``child``, if so."""
    # asked for every candidate worker: the facts are only gathered for a problem
    if worker.ref in child.excluded_workers:
        return Cause(Reason.EXCLUDED, _seen(worker, child))
    missing = sorted(child.required_skills - worker.skills)
    if missing:
        return Cause(Reason.SKILL, {**_seen(worker, child), "skills": ", ".join(missing)})
    if child.language and child.language not in worker.languages:
        return Cause(Reason.LANGUAGE, {**_seen(worker, child), "language": child.language})
    return None


def _seen(worker: Worker, child: Child) -> dict[str, Fact]:
    return {"worker": worker.ref, "child": child.ref}


def may_work_with(worker: Worker, child: Child) -> bool:
    """Whether ``skill_cause`` finds nothing, without building its answer."""
    # asked over a million times at la size: the sets compared, no sorted list built
    return (
        worker.ref not in child.excluded_workers
        and child.required_skills <= worker.skills
        and (not child.language or child.language in worker.languages)
    )


def may_hold_case(worker: Worker, child: Child) -> bool:
    """Rule 3 for key and secondary workers: skills, language, exclusion and same team."""
    return worker.team == child.team and may_work_with(worker, child)


def working_weekdays(worker: Worker) -> int:
    """D of rule 6: weekdays on which the worker's availability has a window."""
    return sum(1 for weekday in range(7) if stretches(worker.availability, weekday))


def weekly_capacity_minutes(worker: Worker, week_monday: dt.date) -> int:
    """Rule 6: hours_per_week * 60 * d / D for the ISO week starting ``week_monday``."""
    # each weekday's windows read once (working_weekdays' count and the week's days)
    windowed = [bool(stretches(worker.availability, weekday)) for weekday in range(7)]
    total = sum(windowed)
    if total == 0:
        return 0
    present = 0
    for offset in range(7):
        day = week_monday + dt.timedelta(days=offset)
        if windowed[day.weekday()] and at_work(worker, day):
            present += 1
    return int(worker.hours_per_week * 60 * present / total + 1e-9)

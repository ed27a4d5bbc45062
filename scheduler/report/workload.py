"""Workload: session minutes per ISO week (Monday-Sunday, local), held and planned, per
worker; a joint session counts for both workers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from scheduler.report.period import ReportPeriod
from scheduler.report.records import History


@dataclass(frozen=True, slots=True)
class WorkerWeek:
    week: date  # the Monday
    held_minutes: int
    planned_minutes: int


@dataclass(frozen=True, slots=True)
class WorkerLoad:
    ref: str
    name: str
    team: str
    capacity_minutes: int  # hours_per_week * 60
    weeks: tuple[WorkerWeek, ...]

    @property
    def held_minutes(self) -> int:
        return sum(w.held_minutes for w in self.weeks)

    @property
    def planned_minutes(self) -> int:
        return sum(w.planned_minutes for w in self.weeks)


def worker_loads(
    history: History,
    period: ReportPeriod,
    zone: ZoneInfo,
    team: str | None,
    child_ids: set[int] | None,
) -> tuple[WorkerLoad, ...]:
    # Weeks before keyworker had any records would only dilute the chart and the means.
    begin = max(period.start, min(history.records_start or period.end, period.end))
    first_week = begin - timedelta(days=begin.weekday())
    minutes: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    last_week = period.end - timedelta(days=period.end.weekday())
    for s in history.sessions:
        if child_ids is not None and s.child_id not in child_ids:
            continue
        day = s.start.astimezone(zone).date()
        if day < period.start or not s.is_contact:
            continue  # a cancelled or missed session took nobody's time with the child
        week = day - timedelta(days=day.weekday())
        last_week = max(last_week, week)
        length = round((s.end - s.start).total_seconds() / 60)
        slot = 0 if s.start < period.as_of else 1
        for worker_id in (s.worker_id, s.with_worker_id):
            if worker_id is not None:
                minutes[(worker_id, week)][slot] += length
    weeks: list[date] = []
    week = first_week
    while week <= last_week:
        weeks.append(week)
        week += timedelta(days=7)
    busy = {worker_id for worker_id, _ in minutes}
    loads: list[WorkerLoad] = []
    for w in history.workers:
        if team is not None and w.team != team:
            continue
        employed = (w.end_date is None or w.end_date >= period.start) and (
            w.start_date is None or w.start_date <= period.end
        )
        if w.id not in busy and (child_ids is not None or not employed):
            continue
        loads.append(
            WorkerLoad(
                w.ref,
                w.name,
                w.team,
                round(w.hours_per_week * 60),
                tuple(_week(k, minutes.get((w.id, k))) for k in weeks),
            )
        )
    return tuple(loads)


def _week(week: date, minutes: list[int] | None) -> WorkerWeek:
    held, planned = minutes if minutes is not None else (0, 0)
    return WorkerWeek(week, held, planned)

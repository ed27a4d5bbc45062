"""The whole report: :func:`build_report` reads (:mod:`.loading`) and computes
(:func:`compute_report`) it; nothing calls the clock, ``as_of`` is passed in."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from scheduler.errors import NotFound
from scheduler.report.children import ChildFigures, ChildTimeline, child_figures
from scheduler.report.delivery import DeliveryFigures, delivery_figures
from scheduler.report.headline import Headline, headline_figures
from scheduler.report.loading import load_history
from scheduler.report.outlook import PlanOutlook, plan_outlook
from scheduler.report.period import ReportPeriod, in_scope, report_period
from scheduler.report.records import ChildRecord, History, KeyRecord, PlanRecord, SessionRecord
from scheduler.report.teams import ALL_TEAMS, TeamFigures, team_figures
from scheduler.report.workload import WorkerLoad, worker_loads


@dataclass(frozen=True, slots=True)
class ContinuityReport:
    period: ReportPeriod
    team: str | None
    teams: tuple[TeamFigures, ...]
    children: tuple[ChildFigures, ...]
    timelines: tuple[ChildTimeline, ...]
    workload: tuple[WorkerLoad, ...]
    outlook: PlanOutlook | None = None
    delivery: tuple[DeliveryFigures, ...] = ()
    headline: Headline | None = None

    @property
    def is_empty(self) -> bool:
        busy = any(w.held_minutes + w.planned_minutes for w in self.workload)
        return not self.children and not busy

    def child(self, ref: str) -> tuple[ChildFigures, ChildTimeline]:
        for figures, timeline in zip(self.children, self.timelines, strict=True):
            if figures.ref == ref:
                return figures, timeline
        raise NotFound("child", ref)


def build_report(
    session: Session,
    *,
    as_of: datetime,
    zone: ZoneInfo,
    months: int = 12,
    team: str | None = None,
    child: str | None = None,
) -> ContinuityReport:
    """The report for ``as_of``; ``child`` narrows it to one child (NotFound if unknown)."""
    period = report_period(as_of, zone, months)
    since = datetime.combine(period.start, time(0), zone).astimezone(UTC)
    found = compute_report(load_history(session, since), period, zone, team=team, child=child)
    return replace(found, outlook=plan_outlook(session))


def compute_report(
    history: History,
    period: ReportPeriod,
    zone: ZoneInfo,
    *,
    team: str | None = None,
    child: str | None = None,
) -> ContinuityReport:
    workers = {w.id: w for w in history.workers}
    plans: dict[int, list[PlanRecord]] = defaultdict(list)
    for p in history.plans:
        plans[p.child_id].append(p)
    key_rows: dict[int, list[KeyRecord]] = defaultdict(list)
    for k in history.key_rows:
        key_rows[k.child_id].append(k)
    for rows in key_rows.values():
        rows.sort(key=lambda r: (r.start_date, r.id))
    sessions: dict[int, list[SessionRecord]] = defaultdict(list)
    for s in history.sessions:
        sessions[s.child_id].append(s)

    chosen: list[ChildRecord] = []
    for c in history.children:
        if child is not None:
            if c.ref == child:
                chosen.append(c)
        elif (team is None or c.team == team) and in_scope(plans[c.id], key_rows[c.id], period):
            chosen.append(c)
    if child is not None and not chosen:
        raise NotFound("child", child)

    figures: list[ChildFigures] = []
    timelines: list[ChildTimeline] = []
    for c in chosen:
        f, t = child_figures(
            c,
            plans=plans[c.id],
            rows=key_rows[c.id],
            sessions=sessions[c.id],
            workers=workers,
            period=period,
            zone=zone,
            records_start=history.records_start,
        )
        figures.append(f)
        timelines.append(t)

    by_team: dict[str, list[ChildFigures]] = defaultdict(list)
    for f in figures:
        by_team[f.team].append(f)
    teams = [team_figures(name, rows) for name, rows in sorted(by_team.items())]
    if len(teams) > 1:
        teams.append(team_figures(ALL_TEAMS, figures))

    only = {c.id for c in chosen} if child is not None else None
    loads = worker_loads(history, period, zone, team, child_ids=only)
    delivery = delivery_figures(history, period, zone, chosen)
    headline = headline_figures(
        history, period, zone, chosen, delivery=delivery[-1] if delivery else None, team=team
    )
    return ContinuityReport(
        period,
        team,
        tuple(teams),
        tuple(figures),
        tuple(timelines),
        loads,
        delivery=delivery,
        headline=headline,
    )

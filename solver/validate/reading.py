"""The validator's own reading of an instance, written from SPEC.md's words.

Nothing here comes from the model's helpers (``solver.context``, ``eligibility``,
``timegrid``, ``periods``): a bug in the model's arithmetic must not hide from the
check by being shared with it. Each function names the SPEC text it reads:
"Availability", "Travel time", "Period", planning rules 2, 3, 6 and 8.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from zoneinfo import ZoneInfo

from solver.instance import Child, ExistingSession, Instance, SupportPlan, Window, Worker
from solver.solution import PlannedSession

Span = tuple[int, int]  # minutes after local midnight, start and end
WHOLE_DAY: tuple[Span, ...] = ((0, 23 * 60 + 59),)  # "availability: default any time"
EARTH_KM = 6371.0


def utc(moment: dt.datetime) -> dt.datetime:
    """The same instant in UTC: aware datetimes sharing a zone compare by wall clock."""
    return moment.astimezone(dt.UTC)


def joined(windows: Iterable[Window], weekday: int) -> tuple[Span, ...]:
    """SPEC "Availability": the union of the windows on a weekday, touching ones joined.

    A window lies within one day with its start before its end; one that does not
    is no window at all.
    """
    spans = sorted(
        (w.start.hour * 60 + w.start.minute, w.end.hour * 60 + w.end.minute)
        for w in windows
        if w.weekday == weekday
    )
    out: list[Span] = []
    for lo, hi in spans:
        if hi <= lo:
            continue
        if out and lo <= out[-1][1]:  # overlaps or touches the stretch before
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def inside_one(spans: tuple[Span, ...], start: int, end: int) -> bool:
    """Whether the wall-clock minutes ``start``..``end`` lie inside one stretch."""
    return any(lo <= start and end <= hi for lo, hi in spans)


def travel_minutes(a: Child | None, b: Child | None) -> int:
    """SPEC "Travel time": ceil(2.6 * km) up to a multiple of 15, at least 15.

    km is the great-circle (haversine) distance on a sphere of radius 6371.0 km;
    without coordinates for both places it is 15 minutes.
    """
    if a is None or b is None or a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return 15
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    half = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    )
    km = 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(half)))
    minutes = math.ceil(2.6 * km)
    return max(15, math.ceil(minutes / 15) * 15)


def week_of(day: dt.date) -> dt.date:
    """The Monday of the ISO week (Mon-Sun) holding ``day``."""
    return day - dt.timedelta(days=day.weekday())


def exact_hours(hours: float) -> Fraction:
    """``hours_per_week`` as the decimal the team manager wrote, exactly (37.5, 22.2)."""
    return Fraction(repr(float(hours)))


@dataclass(frozen=True, slots=True)
class PlanPeriod:
    """SPEC "Period": ``every_weeks`` ISO weeks of one plan and its required count."""

    plan: SupportPlan
    index: int
    first_day: dt.date
    last_day: dt.date
    required: int


def period_at(plan: SupportPlan, day: dt.date) -> PlanPeriod:
    """The period of ``plan`` holding ``day``: periods run from the week of its start.

    Required = ceil(sessions * f), f the share of the period's days the plan is in
    force; computed in whole numbers.
    """
    length = 7 * plan.every_weeks
    origin = week_of(plan.start_date)
    index = (day - origin).days // length
    first = origin + dt.timedelta(days=index * length)
    last = first + dt.timedelta(days=length - 1)
    lo = max(first, plan.start_date)
    hi = last if plan.end_date is None else min(last, plan.end_date)
    in_force = max(0, (hi - lo).days + 1)
    required = -(-plan.sessions * in_force // length)
    return PlanPeriod(plan, index, first, last, required)


class Reading:
    """The facts of one instance that the rules ask about, read once.

    Times are UTC throughout; the zone only turns an instant into a local day and
    a wall-clock minute.
    """

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.tz = ZoneInfo(instance.timezone)
        self.now = utc(instance.now)
        self.freeze_until = self.now + dt.timedelta(hours=instance.freeze_hours)
        self.first_day = instance.horizon_start
        self.last_day = instance.horizon_start + dt.timedelta(days=7 * instance.weeks - 1)
        self.workers = {w.ref: w for w in instance.workers}
        self.children = {c.ref: c for c in instance.children}
        self.plans: dict[str, list[SupportPlan]] = {}
        for plan in sorted(instance.plans, key=lambda p: p.start_date):
            self.plans.setdefault(plan.child, []).append(plan)
        # SPEC "In force": planned = a plan in force on at least one horizon day
        self.planned = {
            child
            for child, plans in self.plans.items()
            if any(
                p.start_date <= self.last_day
                and (p.end_date is None or p.end_date >= self.first_day)
                for p in plans
            )
        }
        self.existing = {
            s.id: ExistingSession(
                s.id, s.child, s.worker, s.with_worker, utc(s.start), utc(s.end), s.locked
            )
            for s in instance.existing_sessions
        }
        self.fixed = {ref for ref, s in self.existing.items() if self._is_fixed(s)}
        self._worker_spans = {
            ref: [joined(w.availability, d) for d in range(7)] for ref, w in self.workers.items()
        }
        self._child_spans = {
            ref: [joined(c.availability, d) if c.availability else WHOLE_DAY for d in range(7)]
            for ref, c in self.children.items()
        }
        self._away: dict[tuple[str, dt.date], str | None] = {}

    # -- time ---------------------------------------------------------------
    def local(self, moment: dt.datetime) -> tuple[dt.date, int]:
        """The local day and wall-clock minute of an instant."""
        wall = moment.astimezone(self.tz)
        return wall.date(), wall.hour * 60 + wall.minute

    def day_of(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def fits(self, start: dt.datetime, end: dt.datetime, spans: tuple[Span, ...]) -> bool:
        """SPEC "Availability": wall-clock start and end inside one stretch of one day."""
        start_day, start_minute = self.local(start)
        end_day, end_minute = self.local(end)
        return start_day == end_day and inside_one(spans, start_minute, end_minute)

    def worker_fits(self, ref: str, start: dt.datetime, end: dt.datetime) -> bool:
        return self.fits(start, end, self._worker_spans[ref][self.day_of(start).weekday()])

    def child_fits(self, ref: str, start: dt.datetime, end: dt.datetime) -> bool:
        return self.fits(start, end, self._child_spans[ref][self.day_of(start).weekday()])

    # -- rule 2: employed, not absent, team not closed -----------------------
    def away(self, worker: Worker, day: dt.date) -> str | None:
        """Why ``worker`` may not work on ``day`` (rule 2), or None when at work."""
        key = (worker.ref, day)
        if key not in self._away:
            self._away[key] = _away(worker, day)
        return self._away[key]

    def at_work(self, worker: Worker, day: dt.date) -> bool:
        return self.away(worker, day) is None

    # -- rule 3: who may see and who may hold a child -------------------------
    @staticmethod
    def may_see(worker: Worker, child: Child) -> bool:
        """Every required skill, the required language, and not excluded."""
        return (
            worker.ref not in child.excluded_workers
            and child.required_skills <= worker.skills
            and (not child.language or child.language in worker.languages)
        )

    def may_hold(self, worker: Worker, child: Child) -> bool:
        """Key and secondary workers also belong to the child's team."""
        return worker.team == child.team and self.may_see(worker, child)

    # -- rule 6 ---------------------------------------------------------------
    def weekly_capacity(self, worker: Worker, monday: dt.date) -> Fraction:
        """hours_per_week * 60 * d / D minutes, exactly (see rule 6 for d and D)."""
        spans = self._worker_spans[worker.ref]
        total = sum(1 for weekday in range(7) if spans[weekday])
        if total == 0:
            return Fraction(0)
        present = 0
        for offset in range(7):
            day = monday + dt.timedelta(days=offset)
            if spans[offset] and self.at_work(worker, day):
                present += 1
        return exact_hours(worker.hours_per_week) * 60 * present / total

    # -- plans and periods ------------------------------------------------------
    def plan_on(self, child: str, day: dt.date) -> SupportPlan | None:
        """The plan in force on ``day`` (SPEC: at most one)."""
        for plan in self.plans.get(child, []):
            if plan.start_date <= day and (plan.end_date is None or day <= plan.end_date):
                return plan
        return None

    def period_on(self, child: str, day: dt.date) -> PlanPeriod | None:
        """The period of a planned child's plan in force on ``day``, where it touches
        the horizon (the periods a plan shows: SPEC "Plan JSON", ``sessions``)."""
        if child not in self.planned:
            return None
        plan = self.plan_on(child, day)
        if plan is None or plan.start_date > self.last_day:
            return None
        period = period_at(plan, day)
        if period.last_day < self.first_day or period.first_day > self.last_day:
            return None
        return period

    # -- rule 8: what re-planning may not move --------------------------------
    def _is_fixed(self, s: ExistingSession) -> bool:
        """Before now or inside the freeze window, locked, or before the horizon."""
        return s.start < self.freeze_until or s.locked or self.day_of(s.start) < self.first_day

    def unchanged_fixed(self, s: PlannedSession) -> bool:
        """A fixed session the plan keeps as it was: exempt from rules 1 and 4-6."""
        e = self.existing.get(s.id)
        return (
            e is not None
            and s.id in self.fixed
            and (e.worker, e.with_worker, e.start, e.end)
            == (s.worker, s.with_worker, s.start, s.end)
        )

    def fixed_time(self, s: PlannedSession) -> bool:
        """A fixed session at its own time (maybe with another worker: rule 8's exception)."""
        e = self.existing.get(s.id)
        return e is not None and s.id in self.fixed and (e.start, e.end) == (s.start, s.end)


def _away(worker: Worker, day: dt.date) -> str | None:
    ref = worker.ref
    if worker.end_date is not None and day > worker.end_date:
        return f"{ref} left on {worker.end_date.isoformat()}"
    if worker.start_date is not None and day < worker.start_date:
        return f"{ref} starts on {worker.start_date.isoformat()}"
    covering = [a for a in worker.absences if a.start <= day <= a.end]
    for a in covering:
        if a.closure is not None:
            return f"{ref}'s team {worker.team} is closed on {day.isoformat()} ({a.closure})"
    if covering:
        return f"{ref} is absent on {day.isoformat()}"
    return None

"""Facts derived once from an instance and shared by every stage.

Which children are planned, on which days, their periods, which existing
sessions are fixed under rule 8 and which may move, and cached availability.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from solver.eligibility import absent, at_work, closure_on, employed, skill_cause
from solver.instance import Child, ExistingSession, Instance, SupportPlan, Worker
from solver.periods import Period, plan_periods
from solver.terms import Cause, Fact, Reason
from solver.timegrid import child_stretches, intersect, stretches, wall_minute


@dataclass
class TeamPart:
    """One team's planned children and its workers: the unit each stage solves."""

    team: str
    workers: list[str]
    children: list[str]


def team_parts(ctx: Context) -> list[TeamPart]:
    """The teams with planned children, in name order, each with its workers."""
    teams: dict[str, TeamPart] = {}
    for ref in ctx.planned:
        team = ctx.children[ref].team
        teams.setdefault(team, TeamPart(team, [], [])).children.append(ref)
    for ref in sorted(ctx.workers):
        team = ctx.workers[ref].team
        if team in teams:
            teams[team].workers.append(ref)
    return [teams[t] for t in sorted(teams)]


@dataclass
class Context:
    instance: Instance
    tz: ZoneInfo = field(init=False)
    horizon: list[dt.date] = field(init=False)
    today: dt.date = field(init=False)
    workers: dict[str, Worker] = field(init=False)
    children: dict[str, Child] = field(init=False)
    plans: dict[str, list[SupportPlan]] = field(init=False)
    in_force: dict[str, list[dt.date]] = field(init=False)
    periods: dict[str, list[Period]] = field(init=False)
    planned: list[str] = field(init=False)
    _at_work: dict[tuple[str, dt.date], bool] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        inst = self.instance
        self.tz = inst.tz
        self.horizon = inst.horizon_days()
        self.today = inst.now.astimezone(self.tz).date()
        self.workers = {w.ref: w for w in inst.workers}
        self.children = {c.ref: c for c in inst.children}
        self.plans = {}
        for plan in sorted(inst.plans, key=lambda p: (p.child, p.start_date)):
            self.plans.setdefault(plan.child, []).append(plan)
        self.in_force = {}
        self.periods = {}
        for ref in sorted(self.children):
            plans = self.plans.get(ref, [])
            force = [d for d in self.horizon if any(p.in_force(d) for p in plans)]
            if force:
                self.in_force[ref] = force
                self.periods[ref] = [
                    period
                    for plan in plans
                    for period in plan_periods(plan, inst.horizon_start, inst.horizon_end)
                ]
        self.planned = sorted(self.in_force)

    # -- time ---------------------------------------------------------------
    def local_day(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def worker_spans(self, ref: str, weekday: int) -> tuple[tuple[int, int], ...]:
        return self._worker_spans[ref][weekday]

    def child_spans(self, ref: str, weekday: int) -> tuple[tuple[int, int], ...]:
        return self._child_spans[ref][weekday]

    @cached_property
    def _worker_spans(self) -> dict[str, list[tuple[tuple[int, int], ...]]]:
        return {
            ref: [stretches(w.availability, day) for day in range(7)]
            for ref, w in self.workers.items()
        }

    @cached_property
    def _child_spans(self) -> dict[str, list[tuple[tuple[int, int], ...]]]:
        return {
            ref: [child_stretches(c.availability, day) for day in range(7)]
            for ref, c in self.children.items()
        }

    def at_work(self, ref: str, day: dt.date) -> bool:
        # asked millions of times at la size (every candidate, fill and repair step):
        # a subscript, not a .get call, on the hit that nearly every call is
        try:
            return self._at_work[(ref, day)]
        except KeyError:
            worker = self.workers.get(ref)
            found = worker is not None and at_work(worker, day)
            self._at_work[(ref, day)] = found
            return found

    def closed_on(self, ref: str, day: dt.date) -> str | None:
        """Why ``ref``'s team is closed on ``day`` (a bank holiday, a team day), if it is."""
        worker = self.workers.get(ref)
        return None if worker is None else closure_on(worker, day)

    def absent_days(self, ref: str) -> frozenset[dt.date]:
        """Horizon days on which the worker is employed but absent: read once, as the
        allocation asks this for every worker, block and child."""
        return self._absent_days.get(ref, frozenset())

    @cached_property
    def _absent_days(self) -> dict[str, frozenset[dt.date]]:
        return {
            ref: frozenset(d for d in self.horizon if employed(w, d) and absent(w, d))
            for ref, w in self.workers.items()
            if w.absences
        }

    def shares_window(self, worker: str, child: str, weekday: int, minutes: int) -> bool:
        """Whether the worker's and the child's windows on ``weekday`` share a stretch
        long enough for a session of ``minutes`` (ignoring absences)."""
        return weekday in self.shared_weekdays(worker, child, minutes)

    def shared_weekdays(self, worker: str, child: str, minutes: int) -> frozenset[int]:
        """The weekdays on which the worker's and the child's windows share a stretch
        long enough for a session of ``minutes`` (ignoring absences)."""
        # read per worker, child and day at la size: the answer depends only on the
        # two weekly patterns, and a team has few of them (20 and 4 at la size)
        key = (self._worker_pattern[worker], self._child_pattern[child], minutes)
        found = self._shared_weekdays.get(key)
        if found is None:
            found = frozenset(
                weekday
                for weekday in range(7)
                if any(
                    hi - lo >= minutes
                    for lo, hi in intersect(
                        self.child_spans(child, weekday), self.worker_spans(worker, weekday)
                    )
                )
            )
            self._shared_weekdays[key] = found
        return found

    @cached_property
    def _shared_weekdays(self) -> dict[tuple[int, int, int], frozenset[int]]:
        return {}

    def weekly_slots(self, worker: str, child: str, minutes: int) -> int:
        """Sessions of ``minutes`` a week that fit both the worker's and the child's
        windows, 30 minutes apart for travel (ignoring absences)."""
        # asked for every worker and child of a team: by pattern, as shared_weekdays
        key = (self._worker_pattern[worker], self._child_pattern[child], minutes)
        found = self._weekly_slots.get(key)
        if found is None:
            found = 0
            for weekday in range(7):
                for lo, hi in intersect(
                    self.child_spans(child, weekday), self.worker_spans(worker, weekday)
                ):
                    if hi - lo >= minutes:
                        found += (hi - lo - minutes) // (minutes + 30) + 1
            self._weekly_slots[key] = found
        return found

    @cached_property
    def _weekly_slots(self) -> dict[tuple[int, int, int], int]:
        return {}

    @cached_property
    def _worker_pattern(self) -> dict[str, int]:
        """Each worker's weekly windows as a number, equal for equal windows."""
        return _patterns(self._worker_spans)

    @cached_property
    def _child_pattern(self) -> dict[str, int]:
        """Each child's weekly windows as a number, equal for equal windows."""
        return _patterns(self._child_spans)

    # -- plans and periods --------------------------------------------------
    def plan_on(self, child: str, day: dt.date) -> SupportPlan | None:
        for plan in self.plans.get(child, []):
            if plan.in_force(day):
                return plan
        return None

    def period_of(self, child: str, day: dt.date) -> Period | None:
        for period in self.periods.get(child, []):
            if period.contains(day):
                return period
        return None

    # -- existing sessions (rule 8) -------------------------------------------
    def is_past(self, session: ExistingSession) -> bool:
        return session.start < self.instance.now

    def is_fixed(self, session: ExistingSession) -> bool:
        """Rule 8: before now, inside the freeze window, locked, or before the horizon."""
        return (
            session.start < self.instance.freeze_until
            or session.locked
            or self.local_day(session.start) < self.instance.horizon_start
        )

    def session_problem(self, ref: str | None, child: str, day: dt.date) -> Cause | None:
        """Why ``ref`` may not work with ``child`` on ``day`` (rules 2 and 3), if so: a
        code of ``SESSION_PROBLEMS`` with the worker, child and day among its facts
        (``solver/findings/messages.py`` says it in words)."""
        if ref is None:
            return None
        worker = self.workers.get(ref)
        kid = self.children[child]
        if worker is not None and at_work(worker, day):
            found = skill_cause(worker, kid)
            if found is None:  # the common answer, asked for every candidate
                return None
            return Cause(found.reason, {**found.facts, "day": day})
        seen: dict[str, Fact] = {"worker": ref, "child": child, "day": day}
        if worker is None:
            return Cause(Reason.NOT_A_WORKER, seen)
        # not at work that day (rule 2)
        if worker.end_date is not None and day > worker.end_date:
            return Cause(Reason.LEFT, {**seen, "end": worker.end_date})
        if worker.start_date is not None and day < worker.start_date:
            return Cause(Reason.NOT_STARTED, {**seen, "start": worker.start_date})
        closed = closure_on(worker, day)
        if closed is not None:
            return Cause(Reason.CLOSED, {**seen, "team": worker.team, "closure": closed})
        return Cause(Reason.ABSENT, seen)

    @cached_property
    def fixed_sessions(self) -> list[ExistingSession]:
        horizon_end = self.instance.horizon_end
        return sorted(
            (
                s
                for s in self.instance.existing_sessions
                if self.is_fixed(s) and self.local_day(s.start) <= horizon_end
            ),
            key=lambda s: (s.start, s.id),
        )

    @cached_property
    def movable_sessions(self) -> dict[str, list[ExistingSession]]:
        out: dict[str, list[ExistingSession]] = {}
        inst = self.instance
        for s in sorted(inst.existing_sessions, key=lambda s: (s.start, s.id)):
            day = self.local_day(s.start)
            if self.is_fixed(s) or not inst.horizon_start <= day <= inst.horizon_end:
                continue
            out.setdefault(s.child, []).append(s)
        return out

    def wall(self, moment: dt.datetime) -> tuple[dt.date, int]:
        # asked over a million times at la size, mostly for the same few thousand
        # candidate and session starts: a time-zone conversion each time was the cost
        # (keyed with fold too: two readings of an ambiguous local time compare equal)
        key = (moment, moment.fold)
        found = self._wall.get(key)
        if found is None:
            found = wall_minute(moment, self.tz)
            self._wall[key] = found
        return found

    @cached_property
    def _wall(self) -> dict[tuple[dt.datetime, int], tuple[dt.date, int]]:
        return {}

    @cached_property
    def sessions_by_child(self) -> dict[str, list[ExistingSession]]:
        out: dict[str, list[ExistingSession]] = {}
        for s in self.instance.existing_sessions:
            out.setdefault(s.child, []).append(s)
        return out

    def contact_anchor(self, child: str, key_today: str | None) -> dt.date | None:
        """Day of the last key-worker contact before now (history in the input)."""
        kid = self.children[child]
        best = kid.last_key_worker_contact
        keys = {k for k in (key_today, kid.current_key_worker) if k is not None}
        for s in self.sessions_by_child.get(child, []):
            if not self.is_past(s):
                continue
            if s.worker in keys or s.with_worker in keys:
                day = self.local_day(s.start)
                if best is None or day > best:
                    best = day
        return best


def _patterns(spans: dict[str, list[tuple[tuple[int, int], ...]]]) -> dict[str, int]:
    """A number per ref, the same for refs with the same windows on every weekday."""
    seen: dict[tuple[tuple[tuple[int, int], ...], ...], int] = {}
    return {ref: seen.setdefault(tuple(week), len(seen)) for ref, week in spans.items()}

"""Cover from another team, only where nobody in the child's own team can (rule 3).

Each team's timetable is solved on its own workers. A period still short of its
target afterwards (the team's key, secondary and cover workers are all away,
booked or lack the child's skill or language) may get a session with a worker
of another team who may see the child, at a time when no worker of the child's
team who may see the child is at work, available and free: the test ``validate``
applies. Sessions go to high-risk children first, to workers the child knows
first and then to the least booked; nothing already chosen moves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from solver.candidates import OTHER, Busy, Candidate, TravelTable, clashes, grid_starts
from solver.context import Context
from solver.eligibility import may_work_with, weekly_capacity_minutes
from solver.instance import ExistingSession, Worker
from solver.periods import Period, PeriodKey, period_key
from solver.timegrid import elapsed_minutes, intersect, lies_within, monday, place_session
from solver.weights import risk_weight

BusyMap = dict[tuple[str, dt.date], list[Busy]]


class CrossTeamCover:
    def __init__(
        self,
        ctx: Context,
        travel: TravelTable,
        *,
        fixed_busy: BusyMap,
        fixed_minutes: dict[tuple[str, dt.date], int],
        fixed_count: dict[PeriodKey, int],
        fixed_days: dict[str, set[dt.date]],
    ) -> None:
        self.ctx = ctx
        self.travel = travel
        self.busy: BusyMap = defaultdict(list, {k: list(v) for k, v in fixed_busy.items()})
        self.minutes = dict(fixed_minutes)
        self.count = dict(fixed_count)
        self.days = defaultdict(set, {k: set(v) for k, v in fixed_days.items()})
        self._caps: dict[tuple[str, dt.date], int] = {}
        self._available: dict[tuple[str, dt.date], tuple[tuple[int, int], ...]] = {}

    def add(self, cand: Candidate) -> None:
        """Record a chosen session (of any team)."""
        for ref in cand.workers:
            self.busy[(ref, cand.day)].append(Busy(cand.start, cand.end, cand.child))
            week = (ref, monday(cand.day))
            self.minutes[week] = self.minutes.get(week, 0) + cand.minutes
        pk = period_key(cand.period)
        self.count[pk] = self.count.get(pk, 0) + 1
        self.days[cand.child].add(cand.day)

    def keep(self, movable: Mapping[str, list[ExistingSession]]) -> list[Candidate]:
        """The existing sessions covered from another team that may stay as they are
        (goal 3): their period is still short, the worker may still see the child that
        day and take the session, and still nobody in the child's team could."""
        ctx = self.ctx
        out: list[Candidate] = []
        for child, sessions in movable.items():
            kid = ctx.children.get(child)
            if kid is None:
                continue
            own = [w for w in ctx.workers.values() if w.team == kid.team and may_work_with(w, kid)]
            for s in sessions:
                worker = ctx.workers.get(s.worker)
                if worker is None or worker.team == kid.team or s.with_worker is not None:
                    continue
                day = ctx.local_day(s.start)
                period = ctx.period_of(child, day)
                if period is None or not period.plan.in_force(day) or day in self.days[child]:
                    continue
                pk = (child, period.plan.start_date, period.index)
                if self.count.get(pk, 0) >= period.target:
                    continue
                if (  # rule 1 as for any new session: the plan's length, on the grid
                    elapsed_minutes(s.start, s.end) != period.plan.session_minutes
                    or ctx.wall(s.start)[1] % 15
                    or s.start < ctx.instance.now
                    or ctx.session_problem(s.worker, child, day)
                    or not lies_within(
                        s.start, s.end, ctx.child_spans(child, day.weekday()), ctx.tz
                    )
                ):
                    continue
                if self._team_could(own, day, s.start, s.end) or not self._can_take(
                    worker, day, s.start, s.end, child
                ):
                    continue
                cand = Candidate(child, s.worker, None, day, s.start, s.end, period, OTHER)
                self.add(cand)
                out.append(cand)
        return out

    def fill(self) -> list[Candidate]:
        """Sessions from other teams for the periods still short, as far as they go."""
        ctx = self.ctx
        out: list[Candidate] = []
        children = sorted(ctx.planned, key=lambda c: (-risk_weight(ctx.children[c]), c))
        for child in children:
            for period in ctx.periods.get(child, []):
                pk = (child, period.plan.start_date, period.index)
                after: dt.date | None = None
                while self.count.get(pk, 0) < period.target:
                    found = self._one(child, period, after)
                    if found is None:
                        break
                    self.add(found)
                    out.append(found)
                    # the days before found nothing, and a session added only takes
                    # room away: the next search for this period starts after it
                    after = found.day
        return out

    def _one(self, child: str, period: Period, after: dt.date | None = None) -> Candidate | None:
        """The first slot (day, then time on the 15-minute grid) at which nobody in the
        child's team is free and a worker of another team can take the session; only
        days after ``after``, where given."""
        ctx = self.ctx
        kid = ctx.children[child]
        minutes = period.plan.session_minutes
        own = [w for w in ctx.workers.values() if w.team == kid.team and may_work_with(w, kid)]
        others = [w for w in ctx.workers.values() if w.team != kid.team and may_work_with(w, kid)]
        for day in ctx.in_force[child]:
            if after is not None and day <= after:
                continue
            if not period.contains(day) or day < ctx.today or day in self.days[child]:
                continue
            # only where some worker of another team is available, and nobody in the
            # team could take it; who of them can is asked only then
            spans = intersect(
                ctx.child_spans(child, day.weekday()), self._others_available(kid.team, day)
            )
            blocked = []
            for start_minute, span in grid_starts(spans, minutes, 15, set()):
                placed = place_session(day, start_minute, minutes, span, ctx.tz)
                if (
                    placed is not None
                    and placed[0] >= ctx.instance.now
                    and not self._team_could(own, day, *placed)
                ):
                    blocked.append(placed)
            if not blocked:
                continue
            week = monday(day)
            helpers = sorted(
                (w for w in others if ctx.at_work(w.ref, day) and self._room(w, week) >= minutes),
                key=lambda w: (
                    w.ref not in kid.known_workers,
                    self.minutes.get((w.ref, week), 0),
                    w.ref,
                ),
            )
            weekday = day.weekday()
            # what _can_take asks, less what is already known here: every helper has
            # room for the session this week, and the window test is the wall-clock one
            # (place_session kept start and end on this day); only rule 4 is left
            walls = [(ctx.wall(start)[1], ctx.wall(end)[1]) for start, end in blocked]
            latest_start = max(lo for lo, _ in walls)
            earliest_end = min(hi for _, hi in walls)
            # a helper none of whose windows can hold any blocked slot is asked nothing more
            helper_windows = [(w, ctx.worker_spans(w.ref, weekday)) for w in helpers]
            windows_of = [
                (w, windows, self.busy.get((w.ref, day), []))
                for w, windows in helper_windows
                if any(a <= latest_start and earliest_end <= b for a, b in windows)
            ]
            for (start, end), (lo, hi) in zip(blocked, walls, strict=True):
                for worker, windows, busy in windows_of:
                    if any(a <= lo and hi <= b for a, b in windows) and not clashes(
                        start, end, child, busy, self.travel
                    ):
                        return Candidate(child, worker.ref, None, day, start, end, period, OTHER)
        return None

    def _others_available(self, team: str, day: dt.date) -> tuple[tuple[int, int], ...]:
        """When on ``day`` any worker outside ``team`` at work that day is available."""
        found = self._available.get((team, day))
        if found is None:
            ctx = self.ctx
            found = _union(
                ctx.worker_spans(w.ref, day.weekday())
                for w in ctx.workers.values()
                if w.team != team and ctx.at_work(w.ref, day)
            )
            self._available[(team, day)] = found
        return found

    def _room(self, worker: Worker, week: dt.date) -> int:
        """Minutes left of the worker's weekly capacity (rule 6)."""
        cap = self._caps.get((worker.ref, week))
        if cap is None:
            cap = weekly_capacity_minutes(worker, week)
            self._caps[(worker.ref, week)] = cap
        return cap - self.minutes.get((worker.ref, week), 0)

    def _can_take(
        self, worker: Worker, day: dt.date, start: dt.datetime, end: dt.datetime, child: str
    ) -> bool:
        """Rules 4 and 6 for ``worker`` (of another team) and their availability."""
        ctx = self.ctx
        return (
            elapsed_minutes(start, end) <= self._room(worker, monday(day))
            and lies_within(start, end, ctx.worker_spans(worker.ref, day.weekday()), ctx.tz)
            and not clashes(start, end, child, self.busy.get((worker.ref, day), []), self.travel)
        )

    def _team_could(
        self, own: list[Worker], day: dt.date, start: dt.datetime, end: dt.datetime
    ) -> bool:
        """Whether a worker of the child's team is at work, available and free then
        (availability as ``lies_within`` has it, with the wall clock read once)."""
        ctx = self.ctx
        start_day, lo = ctx.wall(start)
        end_day, hi = ctx.wall(end)
        if start_day != end_day:
            return False
        weekday = day.weekday()
        for worker in own:
            ref = worker.ref
            if not ctx.at_work(ref, day):
                continue
            if not any(a <= lo and hi <= b for a, b in ctx.worker_spans(ref, weekday)):
                continue
            busy = self.busy.get((ref, day), [])
            if not any(b.start < end and start < b.end for b in busy):
                return True
        return False


def _union(groups: Iterable[tuple[tuple[int, int], ...]]) -> tuple[tuple[int, int], ...]:
    """The union of stretches of minutes, joined where they touch."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(span for group in groups for span in group):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)

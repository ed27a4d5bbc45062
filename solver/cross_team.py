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
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROS_PER_MINUTE = 60_000_000


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
        self._eligible: dict[str, tuple[str, list[Worker], list[Worker]]] = {}
        self._micros: dict[tuple[str, dt.date], list[tuple[int, int, str]]] = {}

    def add(self, cand: Candidate) -> None:
        """Record a chosen session (of any team)."""
        for ref in cand.workers:
            self.busy[(ref, cand.day)].append(Busy(cand.start, cand.end, cand.child))
            self._micros.pop((ref, cand.day), None)
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
        minutes = period.plan.session_minutes
        team, own, others = self._workers_for(child)
        for day in ctx.in_force[child]:
            if after is not None and day <= after:
                continue
            if not period.contains(day) or day < ctx.today or day in self.days[child]:
                continue
            # only where some worker of another team is available, and nobody in the
            # team could take it; who of them can is asked only then
            spans = intersect(
                ctx.child_spans(child, day.weekday()), self._others_available(team, day)
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
            if blocked:
                found = self._first_taker(child, day, blocked, others, minutes)
                if found is not None:
                    start, end = blocked[found[0]]
                    return Candidate(child, found[1], None, day, start, end, period, OTHER)
        return None

    def _first_taker(
        self,
        child: str,
        day: dt.date,
        blocked: list[tuple[dt.datetime, dt.datetime]],
        others: list[Worker],
        minutes: int,
    ) -> tuple[int, str] | None:
        """The first blocked slot a worker of another team can take, and the first such
        worker in the order the child knows them, then least booked: (slot, worker).

        What ``_can_take`` asks, less what is known here: every helper has room for the
        session this week, and the window test is the wall-clock one (place_session kept
        start and end on this day); only rule 4 is left. It is the first (slot, helper)
        pair in slot order, then helper order; asked helper by helper, each scans only
        the slots before the best so far, and the window test is made once per distinct
        set of windows (most workers share a few patterns). Asking every pair took 8.6 s
        of the 33 s la solve.
        """
        ctx = self.ctx
        kid = ctx.children[child]
        week = monday(day)
        weekday = day.weekday()
        walls = [(ctx.wall(start)[1], ctx.wall(end)[1]) for start, end in blocked]
        held_by: dict[tuple[tuple[int, int], ...], list[int]] = {}
        takers: list[tuple[Worker, list[int]]] = []
        for w in others:
            if not ctx.at_work(w.ref, day) or self._room(w, week) < minutes:
                continue
            windows = ctx.worker_spans(w.ref, weekday)
            held = held_by.get(windows)
            if held is None:
                held = [
                    i
                    for i, (lo, hi) in enumerate(walls)
                    if any(a <= lo and hi <= b for a, b in windows)
                ]
                held_by[windows] = held
            if held:
                takers.append((w, held))
        takers.sort(
            key=lambda taker: (
                taker[0].ref not in kid.known_workers,
                self.minutes.get((taker[0].ref, week), 0),
                taker[0].ref,
            )
        )
        # rule 4 (``clashes``) in whole microseconds, with the travel time to each other
        # child read once per call: asked millions of times at la size
        stamps = [(_micros(start), _micros(end)) for start, end in blocked]
        gaps: dict[str, int] = {}
        best: tuple[int, str] | None = None
        for worker, held in takers:
            if best is not None and held[0] >= best[0]:
                continue
            busy = self._busy_micros(worker.ref, day)
            for i in held:
                if best is not None and i >= best[0]:
                    break
                lo, hi = stamps[i]
                for busy_start, busy_end, other in busy:
                    gap = gaps.get(other)
                    if gap is None:
                        gap = gaps[other] = self.travel.between(child, other) * MICROS_PER_MINUTE
                    if lo < busy_end + gap and busy_start < hi + gap:
                        break
                else:
                    best = (i, worker.ref)
                    break
        return best

    def _busy_micros(self, ref: str, day: dt.date) -> list[tuple[int, int, str]]:
        """``ref``'s sessions on ``day`` as (start, end, child), in microseconds."""
        found = self._micros.get((ref, day))
        if found is None:
            found = [
                (_micros(b.start), _micros(b.end), b.child) for b in self.busy.get((ref, day), [])
            ]
            self._micros[(ref, day)] = found
        return found

    def _workers_for(self, child: str) -> tuple[str, list[Worker], list[Worker]]:
        """The child's team, its workers who may see the child, and those of other teams."""
        found = self._eligible.get(child)
        if found is None:
            ctx = self.ctx
            kid = ctx.children[child]
            own = [w for w in ctx.workers.values() if w.team == kid.team and may_work_with(w, kid)]
            others = [
                w for w in ctx.workers.values() if w.team != kid.team and may_work_with(w, kid)
            ]
            found = (kid.team, own, others)
            self._eligible[child] = found
        return found

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


def _micros(moment: dt.datetime) -> int:
    """``moment`` as whole microseconds since the epoch: exact, so comparing these is
    comparing the datetimes."""
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def _union(groups: Iterable[tuple[tuple[int, int], ...]]) -> tuple[tuple[int, int], ...]:
    """The union of stretches of minutes, joined where they touch."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(span for group in groups for span in group):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)

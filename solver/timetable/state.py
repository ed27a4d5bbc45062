"""What one team's timetable model holds, and the re-plan's view of it.

The model is built in layers, each a module with one job: this state and the
re-plan's pins (goal 3), the candidate sessions (``candidates.py``), the
constraints and the goal levels' costs (``objectives.py``), the greedy starts and
their repair (``starts.py``), and the search (``model.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

from ortools.sat.python import cp_model

from solver.allocation import AllocationResult, DayAlloc
from solver.candidates import (
    KEY,
    OTHER,
    SECONDARY,
    Candidate,
    TravelTable,
)
from solver.context import Context, TeamPart
from solver.instance import ExistingSession
from solver.lexico import Level
from solver.periods import Period, period_key
from solver.timetable.facts import FixedFacts

OTHER_COVER_LIMIT = 4
KEY_STEP = 30
COVER_STEP = 60


class RebuildInFull(Exception):
    """A child taken as unchanged cannot keep its sessions: build the model in full."""


class TeamState:
    """The team's candidates, variables and levels, and which children a re-plan keeps."""

    def __init__(
        self,
        ctx: Context,
        part: TeamPart,
        alloc: AllocationResult,
        facts: FixedFacts,
        travel: TravelTable,
        *,
        shortcut: bool = True,
    ) -> None:
        self.ctx = ctx
        self.part = part
        self.alloc = alloc
        self.facts = facts
        self._own: dict[str, list[ExistingSession]] = {}
        # children a re-plan will keep as they are: only their own sessions become
        # candidates (plus the usual ones in a period still short)
        self.unchanged = self._unchanged_children() if shortcut else set()
        self.travel = travel
        self.model = cp_model.CpModel()
        self.cands: list[Candidate] = []
        self.vars: list[cp_model.IntVar] = []
        self.levels = [
            Level(1, "sessions short of the period targets"),
            Level(2, "cover, contact gaps and missing handovers", tie_break_next=True),
            Level(3, "existing sessions moved"),
            Level(4, "routine, travel and wishes", relative_gap=0.05),
        ]
        self.by_period: dict[tuple[str, dt.date, int], list[int]] = defaultdict(list)
        self.rescues: dict[str, list[int]] = defaultdict(list)
        self.by_child: dict[str, list[int]] = {}
        self._routine_refs: dict[str, tuple[set[tuple[int, int]], set[int], int]] = {}
        # auxiliary variables as functions of others, in creation order, so that the
        # greedy start can be handed to CP-SAT as a complete, feasible hint
        self.derived: list[tuple[cp_model.IntVar, str, int, list[cp_model.IntVar]]] = []
        self._tight: dict[tuple[str, tuple[object, ...]], bool] = {}
        self._windows: dict[str, list[list[dt.date]]] = {}
        self._alternative_slots: dict[int, list[int]] = {}
        self._grid_cache: dict[
            tuple[str, tuple[str, dt.date, int], dt.date, str], list[Candidate]
        ] = {}
        self._contested_cache: set[int] | None = None
        self._away_weeks: dict[tuple[str, dt.date], bool] = {}
        self._cover_order: dict[str, list[str]] = {}
        self._seers: dict[str, list[str]] = {}
        self._period_days: dict[tuple[str, tuple[str, dt.date, int]], list[dt.date]] = {}
        self._stamps: dict[tuple[dt.datetime, dt.tzinfo | None], str] = {}
        self._from_base: dict[tuple[str, str], int] = {}
        # set as the model is built (candidates, then costs), read by every later layer
        self.handover_groups: dict[tuple[str, dt.date], list[int]] = {}
        self.index_of: dict[tuple[str, str, str | None, dt.datetime], int] = {}
        self.hints: list[int] = []
        self.routine_cost: dict[int, int] = {}
        self.kept_hints: list[int] = []
        caseload: dict[str, int] = defaultdict(int)
        for child in part.children:
            for key, _ in set(alloc.by_child.get(child, {}).values()):
                if key is not None:
                    caseload[key] += 1
        self.load_rank = dict(caseload)

    # -- candidates -------------------------------------------------------------
    def _add(self, cand: Candidate) -> None:
        index = len(self.cands)
        self.cands.append(cand)
        self.by_child.setdefault(cand.child, []).append(index)
        # candidates share a few hundred start times: each formatted once (by zone too,
        # as equal instants in two zones are equal keys but read differently)
        moment = (cand.start, cand.start.tzinfo)
        stamp = self._stamps.get(moment)
        if stamp is None:
            stamp = self._stamps[moment] = cand.start.isoformat()
        name = f"session[{cand.child},{cand.worker},{cand.with_worker},{stamp}]"
        self.vars.append(self.model.new_bool_var(name))
        if cand.rescue_of is not None:
            self.rescues[cand.rescue_of].append(index)
        self.by_period[period_key(cand.period)].append(index)

    def _allocation(self, child: str, day: dt.date) -> DayAlloc:
        return self.alloc.by_child.get(child, {}).get(day, (None, None))

    def _role(self, child: str, day: dt.date, worker: str, with_worker: str | None) -> str:
        key, sec = self._allocation(child, day)
        if key is not None and key in (worker, with_worker):
            return KEY
        if sec is not None and worker == sec:
            return SECONDARY
        return OTHER

    def _current_keys(self) -> dict[tuple[str, dt.date], str | None]:
        current: dict[tuple[str, dt.date], str | None] = {}
        for a in self.ctx.instance.current_allocations:
            day = a.start
            while day <= a.end:
                current[(a.child, day)] = a.key_worker
                day += dt.timedelta(days=1)
        return current

    def _own_sessions(self, child: str) -> list[ExistingSession]:
        """The child's movable existing sessions with this team's workers only: one
        covered from another team is ``cross_team.py``'s to keep or drop."""
        found = self._own.get(child)
        if found is None:
            team = set(self.part.workers)
            found = [
                e
                for e in self.ctx.movable_sessions.get(child, [])
                if e.worker in team and (e.with_worker is None or e.with_worker in team)
            ]
            self._own[child] = found
        return found

    def _unchanged_children(self) -> set[str]:
        """Children whose existing sessions all still meet rules 1-3 and whose key worker
        is the one the current plan names: a re-plan keeps their sessions (goal 3)."""
        ctx = self.ctx
        current = self._current_keys()
        team = set(self.part.workers)
        out: set[str] = set()
        for child in self.part.children:
            sessions = self._own_sessions(child)
            if not sessions or self.facts.broken.get(child):
                continue
            force = set(ctx.in_force[child])
            if any(
                current.get((child, day), self._allocation(child, day)[0])
                != self._allocation(child, day)[0]
                for day in force
            ):
                continue
            fine = all(
                ctx.local_day(e.start) in force
                and ctx.period_of(child, ctx.local_day(e.start)) is not None
                and all(
                    r in team and not ctx.session_problem(r, child, ctx.local_day(e.start))
                    for r in (e.worker, e.with_worker)
                    if r is not None
                )
                for e in sessions
            )
            if fine:
                out.add(child)
        return out

    def _untouched_without_own_sessions(self) -> set[str]:
        """In a re-plan, children nothing touched though they hold no session of this
        team to pin (none in the horizon, or only cover from another team): the key
        worker is the one the current plan names and no fixed session of theirs broke.
        The repair leaves them be, as it does pinned children (goal 3)."""
        ctx = self.ctx
        current = self._current_keys()
        if not current:
            return set()
        return {
            child
            for child in self.part.children
            if not self._own_sessions(child)
            and not self.facts.broken.get(child)
            and all(
                (child, day) in current and current[(child, day)] == self._allocation(child, day)[0]
                for day in ctx.in_force[child]
            )
        }

    def _pinned(self) -> list[int]:
        """Existing sessions a re-plan keeps as they are (goal 3, see the module docstring).

        A child's sessions are all kept when every one of them can be (its worker still
        may see the child that day, and together they still meet rules 4-6) and the
        child's key worker is the one the current plan names; otherwise the child is
        touched by the change and all of its sessions are free (at a stability cost).
        """
        ctx = self.ctx
        kept = set(self.kept_hints)
        keepable: dict[str, list[int]] = defaultdict(list)
        for i in kept:
            keepable[self.cands[i].child].append(i)
        current = self._current_keys()
        out: list[int] = []
        for child in self.part.children:
            sessions = self._own_sessions(child)
            if not sessions or self.facts.broken.get(child):
                continue
            if len(keepable.get(child, [])) != len(sessions):
                continue
            if current and any(
                current.get((child, day), self._allocation(child, day)[0])
                != self._allocation(child, day)[0]
                for day in ctx.in_force[child]
            ):
                continue
            out += sorted(keepable[child])
        return out

    def _open_days(self, child: str, period: Period) -> list[dt.date]:
        """The days of ``period`` from today on that hold no fixed session of ``child``:
        the same for the candidates and every fill (which tries them for each worker)."""
        pk = period_key(period)
        found = self._period_days.get((child, pk))
        if found is None:
            ctx, fixed = self.ctx, self.facts.days.get(child, set())
            found = [
                d
                for d in ctx.in_force[child]
                if period.contains(d) and d >= ctx.today and d not in fixed
            ]
            self._period_days[(child, pk)] = found
        return found

    def _routine_of(self, i: int) -> int:
        ctx = self.ctx
        cand = self.cands[i]
        child = cand.child
        reference = self._routine_refs.get(child)
        if reference is None:
            pattern = {
                (s.start.astimezone(ctx.tz).weekday(), ctx.wall(s.start)[1])
                for s in ctx.sessions_by_child.get(child, [])
            }
            anchor = self._anchor(child) if not pattern else (set(), -1)
            reference = (pattern, anchor[0], anchor[1])
            self._routine_refs[child] = reference
        pattern, anchor_days, anchor_minute = reference
        kid = ctx.children[child]
        slot = (cand.day.weekday(), self.ctx.wall(cand.start)[1])
        cost = 0
        if pattern:
            if slot not in pattern:
                cost += 1 if any(slot[0] == p[0] for p in pattern) else 2
        elif anchor_minute >= 0:
            cost += (slot[0] not in anchor_days) + (slot[1] != anchor_minute)
        base = self._from_base.get((cand.worker, child))
        if base is None:
            base = self._from_base[(cand.worker, child)] = self.travel.from_base(cand.worker, child)
        cost += max(0, base - 15) // 15
        if kid.preferred_gender and ctx.workers[cand.worker].gender != kid.preferred_gender:
            cost += 1
        return cost

    def _anchor(self, child: str) -> tuple[set[int], int]:
        """A routine for a child without history: weekdays and a time among the key
        worker's slots, spread by a stable hash so that one worker's children do not
        all aim at the same slot."""
        keyed = sorted(
            {
                (self.cands[i].day.weekday(), self.ctx.wall(self.cands[i].start)[1])
                for i in self.by_child.get(child, [])
                if self.cands[i].role == KEY
            }
        )
        if not keyed:
            return set(), -1
        digest = int(hashlib.sha1(child.encode(), usedforsecurity=False).hexdigest()[:8], 16)
        weekday, minute = keyed[digest % len(keyed)]
        plans = self.ctx.plans.get(child, [])
        per_week = max((-(-p.sessions // p.every_weeks) for p in plans), default=1)
        weekdays = sorted({d for d, _ in keyed})
        start = weekdays.index(weekday)
        step = max(1, len(weekdays) // max(1, per_week))
        days = {weekdays[(start + k * step) % len(weekdays)] for k in range(per_week)}
        return days, minute

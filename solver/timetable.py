"""Timetabling stage: every required session in a real slot, one CP-SAT model per team.

Given the allocation (key and secondary worker per child-day), each model
chooses among candidate sessions (``candidates.py``) under rules 4-6 and the
period counts. Levels: 1 sessions short of each period's target; 2 continuity
(cover by the secondary worker, cover by anyone else, key-worker contact gaps
longer than ``max_gap_days``, a missing handover before a known change);
3 stability (existing sessions not kept at the same worker, day and time);
4 routine (same weekday and time), short travel, the child's wishes.

Re-planning (goal 3). A child whose existing sessions all still meet rules 1-6
and whose key worker is the one the current plan names is *unchanged*: its
sessions are pinned (fixed to be chosen), and only its own sessions are
candidates, plus the usual ones in a period still short. Everyone else (a
session broken by an absence, a new key worker, a new child, new days at the
horizon end) is solved freely around them, paying level 3 for every move. So an
unchanged input gives back the identical plan and a disruption moves only the
sessions of the children it touches; CP-SAT cannot trade a kept session for
noise inside a level (a session moved for a cheaper routine, or for a cover
improvement a longer first search would have found). Stability yields to goal 1
where it is real: a short period still gets every session that fits around the
pins (the model and the fill below), and a kept session that no longer fits
(a worker's weekly capacity fell) makes the team's model be built in full.
Goal 2 still ranks above goal 3 for an untouched child: the start's repair
(``repair.py``) may move one of its sessions, to another slot with the same worker
in the same period, out of the way of a goal-2 gain for a touched child (to free
a key worker for a child hit by an absence, say); that child is then unpinned and
pays level 3 for the move. With nothing touched nothing is repaired, so an
unchanged input still gives back the identical plan.

Goal 1 first: the search starts from the best of five constructions, ranked by
level 1 and then by level 2: the solver's own (key worker first, most
constrained children first) and the yardstick's (``bench/greedy.py``: first free
slot on the 15-minute grid) with children in input order or high risk first,
each with and without the handovers taken first (at la size, where a team model
has about 2 s, only the own and the high-risk-first one; and there CP-SAT's
search is skipped altogether, as building the model and its presolve would take
longer than the time left: the repaired start is the plan). Those best for level 1 are
repaired for level 2 first (``repair.py``: handovers added, cover and contact
gaps cut without losing a session). After the search a last greedy pass adds a
session wherever one still fits; it moves nothing CP-SAT chose. Periods still
short after every team's model get cover from another team where nobody in the
child's team is free (``cross_team.py``, rule 3).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from solver.allocation import AllocationResult, DayAlloc, pattern_slots
from solver.budget import Budget
from solver.candidates import (
    KEY,
    OTHER,
    SECONDARY,
    Busy,
    Candidate,
    TravelTable,
    clashes,
    cover_workers,
    make_candidates,
)
from solver.context import Context, TeamPart, team_parts
from solver.cross_team import CrossTeamCover
from solver.eligibility import may_work_with, weekly_capacity_minutes
from solver.findings import gap_start
from solver.instance import ExistingSession
from solver.lexico import Level, LevelResult, replace_hints, solve_lexicographic
from solver.packing import Packing
from solver.parallel import run_parts
from solver.params import (
    FEW_STARTS_BELOW,
    MIN_SEARCH_WORK,
    TIMETABLE_LEVEL_SHARES,
    SolverParams,
)
from solver.periods import Period
from solver.repair import ROLE_RANK, ContinuityRepair, continuity_cost
from solver.timegrid import elapsed_minutes, lies_within, monday
from solver.weights import COVER_WEIGHT, GAP_WEIGHT, HANDOVER_WEIGHT, risk_weight

OTHER_COVER_LIMIT = 4
KEY_STEP = 30
COVER_STEP = 60


@dataclass
class FixedFacts:
    """Fixed sessions (rule 8) as constants for the model, built once for all teams."""

    busy: dict[tuple[str, dt.date], list[Busy]] = field(default_factory=dict)
    count: dict[tuple[str, dt.date, int], int] = field(default_factory=dict)  # (child, plan, k)
    days: dict[str, set[dt.date]] = field(default_factory=dict)
    minutes: dict[tuple[str, dt.date], int] = field(default_factory=dict)  # (worker, monday)
    broken: dict[str, list[ExistingSession]] = field(default_factory=dict)  # child -> sessions
    kept: list[ExistingSession] = field(default_factory=list)
    kept_by_child: dict[str, list[ExistingSession]] = field(default_factory=dict)


def period_key(period: Period) -> tuple[str, dt.date, int]:
    return (period.child, period.plan.start_date, period.index)


def fixed_facts(ctx: Context) -> FixedFacts:
    facts = FixedFacts()
    for s in ctx.fixed_sessions:
        day = ctx.local_day(s.start)
        broken = not ctx.is_past(s) and any(
            ctx.session_problem(ref, s.child, day) for ref in (s.worker, s.with_worker)
        )
        if broken:
            facts.broken.setdefault(s.child, []).append(s)
            continue
        facts.kept.append(s)
        facts.kept_by_child.setdefault(s.child, []).append(s)
        minutes = elapsed_minutes(s.start, s.end)
        for ref in (s.worker, s.with_worker):
            if ref is None:
                continue
            facts.busy.setdefault((ref, day), []).append(Busy(s.start, s.end, s.child))
            key = (ref, monday(day))
            facts.minutes[key] = facts.minutes.get(key, 0) + minutes
        facts.days.setdefault(s.child, set()).add(day)
        period = ctx.period_of(s.child, day)
        if period is not None:
            pk = period_key(period)
            facts.count[pk] = facts.count.get(pk, 0) + 1
    return facts


@dataclass
class TeamTimetable:
    chosen: list[Candidate]
    cancelled: list[ExistingSession]
    levels: list[LevelResult]
    rescuable: set[str] = field(default_factory=set)


@dataclass
class TimetableResult:
    chosen: list[Candidate] = field(default_factory=list)
    cancelled: list[ExistingSession] = field(default_factory=list)
    kept: list[ExistingSession] = field(default_factory=list)
    levels: list[list[LevelResult]] = field(default_factory=list)
    rescuable: set[str] = field(default_factory=set)  # fixed sessions another worker could take


class _Rebuild(Exception):
    """A child taken as unchanged cannot keep its sessions: build the model in full."""


class _TeamModel:
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
        name = f"session[{cand.child},{cand.worker},{cand.with_worker},{cand.start.isoformat()}]"
        self.vars.append(self.model.new_bool_var(name))
        if cand.rescue_of is not None:
            self.rescues[cand.rescue_of].append(index)
        self.by_period[period_key(cand.period)].append(index)

    def _key_is_stretched(self, child: str, key: str, day: dt.date) -> bool:
        """Whether cover may be needed for ``child`` on ``day``: the key worker is away
        that week, over their hours, or has fewer slots in the child's windows than
        their children who can only meet then need."""
        week = monday(day)
        # a closed day (a bank holiday, a team day) closes the whole team: nobody there
        # can cover it, and the key worker's other days are no less theirs
        ctx = self.ctx
        if any(
            not ctx.at_work(key, d) and ctx.closed_on(key, d) is None
            for d in (week + dt.timedelta(days=k) for k in range(7))
        ):
            return True
        if self.alloc.overflow_minutes.get(key, 0) > 0:
            return True
        windows = self.ctx.children[child].availability
        if not windows:
            return False
        found = self._tight.get((key, windows))
        if found is None:
            load = 0
            for other in self.part.children:
                days = self.alloc.by_child.get(other, {})
                if self.ctx.children[other].availability == windows and any(
                    k == key for k, _ in days.values()
                ):
                    plan = self.ctx.plan_on(other, self.ctx.in_force[other][0])
                    if plan is not None:
                        load += round(4 * plan.sessions / plan.every_weeks)
            found = load > 3 * pattern_slots(self.ctx, key, child)  # within 75%: tight
            self._tight[(key, windows)] = found
        return found

    def _allocation(self, child: str, day: dt.date) -> DayAlloc:
        return self.alloc.by_child.get(child, {}).get(day, (None, None))

    def _role(self, child: str, day: dt.date, worker: str, with_worker: str | None) -> str:
        key, sec = self._allocation(child, day)
        if key is not None and key in (worker, with_worker):
            return KEY
        if sec is not None and worker == sec:
            return SECONDARY
        return OTHER

    def build_candidates(self) -> None:
        ctx, facts = self.ctx, self.facts
        team = set(self.part.workers)  # a worker's capacity lives in one team's model
        for child in self.part.children:
            kid = ctx.children[child]
            movable = self._own_sessions(child)
            fixed_days = facts.days.get(child, set())
            for period in ctx.periods.get(child, []):
                room = period.target - facts.count.get(period_key(period), 0)
                if room <= 0:
                    continue
                if child in self.unchanged and room <= sum(
                    1 for e in movable if period.contains(ctx.local_day(e.start))
                ):
                    self._existing_candidates(child, period)
                    continue
                for day in ctx.in_force[child]:
                    if not period.contains(day):
                        continue
                    if day < ctx.today or day in fixed_days:
                        continue
                    key, sec = self._allocation(child, day)
                    workers: list[tuple[str, str]] = []
                    if key is not None and ctx.at_work(key, day):
                        workers.append((key, KEY))
                    needs_cover = key is None or self._key_is_stretched(child, key, day)
                    if sec is not None and ctx.at_work(sec, day) and needs_cover:
                        workers.append((sec, SECONDARY))
                    if needs_cover:
                        for w in cover_workers(
                            ctx,
                            child=child,
                            day=day,
                            team_workers=self.part.workers,
                            skip={key or "", sec or ""},
                            load_rank=self.load_rank,
                            limit=OTHER_COVER_LIMIT,
                        ):
                            workers.append((w, OTHER))
                    todays = [e for e in movable if ctx.local_day(e.start) == day]
                    listed = {w for w, _ in workers}
                    for e in todays:
                        if e.with_worker is None and e.worker not in listed and e.worker in team:
                            worker = ctx.workers.get(e.worker)
                            if (
                                worker is not None
                                and ctx.at_work(e.worker, day)
                                and may_work_with(worker, kid)
                            ):
                                workers.append((e.worker, self._role(child, day, e.worker, None)))
                                listed.add(e.worker)
                    for w, role in workers:
                        extra = {
                            ctx.wall(e.start)[1]
                            for e in todays
                            if e.worker == w and e.with_worker is None
                        }
                        step = COVER_STEP
                        if role == KEY:  # short shared windows get the fine grid
                            step = KEY_STEP
                        for cand in make_candidates(
                            ctx,
                            child=child,
                            period=period,
                            day=day,
                            worker=w,
                            with_worker=None,
                            role=role,
                            step=step,
                            extra=extra,
                            busy=facts.busy,
                            travel=self.travel,
                        ):
                            self._add(cand)
                    for e in todays:
                        if e.with_worker is None:
                            continue
                        if (
                            any(
                                ctx.session_problem(r, child, day)
                                for r in (e.worker, e.with_worker)
                            )
                            or not {e.worker, e.with_worker} <= team
                        ):
                            continue
                        self._add_kept(child, period, e)
            self._handover_candidates(child)
            self._rescue_candidates(child)

    def _handover_candidates(self, child: str) -> None:
        ctx = self.ctx
        days = ctx.in_force[child]
        self.handover_groups: dict[tuple[str, dt.date], list[int]]
        if not hasattr(self, "handover_groups"):
            self.handover_groups = {}
        for before, day in itertools.pairwise(days):
            if (day - before).days != 1:
                continue
            old, _ = self._allocation(child, before)
            new, _ = self._allocation(child, day)
            if old is None or new is None or old == new:
                continue
            group: list[int] = []
            start_day = max(ctx.today, day - dt.timedelta(days=14))
            for candidate_day in days:
                if not start_day <= candidate_day < day:
                    continue
                if candidate_day in self.facts.days.get(child, set()):
                    continue
                if not (ctx.at_work(old, candidate_day) and ctx.at_work(new, candidate_day)):
                    continue
                period = ctx.period_of(child, candidate_day)
                if period is None:
                    continue
                room = period.target - self.facts.count.get(period_key(period), 0)
                if room <= 0:
                    continue
                existing = {
                    ctx.wall(e.start)[1]
                    for e in ctx.movable_sessions.get(child, [])
                    if ctx.local_day(e.start) == candidate_day and e.with_worker == new
                }
                for cand in make_candidates(
                    ctx,
                    child=child,
                    period=period,
                    day=candidate_day,
                    worker=old,
                    with_worker=new,
                    role=KEY,
                    step=KEY_STEP,
                    extra=existing,
                    busy=self.facts.busy,
                    travel=self.travel,
                    handover=True,
                ):
                    group.append(len(self.cands))
                    self._add(cand)
            self.handover_groups[(child, day)] = group

    def _rescue_candidates(self, child: str) -> None:
        ctx = self.ctx
        for s in self.facts.broken.get(child, []):
            day = ctx.local_day(s.start)
            period = ctx.period_of(child, day)
            if period is None:
                continue
            key, sec = self._allocation(child, day)
            options: list[str] = []
            for ref in (s.worker, key, sec, s.with_worker):
                if ref and ref not in options:
                    options.append(ref)
            for w in cover_workers(
                ctx,
                child=child,
                day=day,
                team_workers=self.part.workers,
                skip=set(options),
                load_rank=self.load_rank,
                limit=3,
            ):
                options.append(w)
            partner = s.with_worker if not ctx.session_problem(s.with_worker, child, day) else None
            if partner is not None and partner not in self.part.workers:
                partner = None
            team = set(self.part.workers)
            for w in options:
                if w not in team or ctx.session_problem(w, child, day):
                    continue
                with_worker = partner if partner != w else None
                spans = ctx.worker_spans(w, day.weekday())
                if not lies_within(s.start, s.end, spans, ctx.tz):
                    continue
                if clashes(s.start, s.end, child, self.facts.busy.get((w, day), []), self.travel):
                    continue
                if with_worker is not None and clashes(
                    s.start,
                    s.end,
                    child,
                    self.facts.busy.get((with_worker, day), []),
                    self.travel,
                ):
                    continue
                role = self._role(child, day, w, with_worker)
                self._add(
                    Candidate(
                        child,
                        w,
                        with_worker,
                        day,
                        s.start,
                        s.end,
                        period,
                        role,
                        with_worker is not None,
                        s.id,
                    )
                )

    # -- constraints ------------------------------------------------------------
    def build_constraints(self) -> None:
        ctx, model = self.ctx, self.model
        unmet, _continuity, stability, routine = self.levels
        # period counts (and rule 5 per child-day)
        for child in self.part.children:
            risk = risk_weight(ctx.children[child])
            for period in ctx.periods.get(child, []):
                pk = period_key(period)
                room = max(0, period.target - self.facts.count.get(pk, 0))
                chosen = [self.vars[i] for i in self.by_period.get(pk, [])]
                if chosen:
                    model.add(sum(chosen) <= room)
                if room > 0:
                    short = model.new_int_var(0, room, f"short[{child},{period.first_day}]")
                    model.add(short + sum(chosen) >= room)
                    unmet.add(short, risk)
                    self.derived.append((short, "short", room, chosen))
        for group in self.rescues.values():
            if len(group) > 1:
                model.add_at_most_one(self.vars[i] for i in group)
        for child in self.part.children:
            for broken in self.facts.broken.get(child, []):
                options = [self.vars[i] for i in self.rescues.get(broken.id, [])]
                if (
                    options
                ):  # cancelling a fixed session is a change too: rule 8 prefers a new worker
                    cancel = model.new_bool_var(f"cancel[{broken.id}]")
                    model.add(cancel + sum(options) >= 1)
                    stability.add(cancel, 1)
                    self.derived.append((cancel, "none", 1, options))
        by_child_day: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
        for i, cand in enumerate(self.cands):
            by_child_day[(cand.child, cand.day)].append(i)
        for indices in by_child_day.values():
            if len(indices) > 1:
                model.add_at_most_one(self.vars[i] for i in indices)
        self._no_overlap()
        self._capacity()
        self._continuity(by_child_day)
        self._stability_and_routine(stability, routine)

    def _no_overlap(self) -> None:
        """Rule 4 between candidates, exactly.

        Every trip takes at least 15 minutes, so intervals padded by 15 minutes must be
        pairwise disjoint (one at-most-one per start point and worker-day); pairs of
        children further apart are then excluded one by one where the gap between
        them is shorter than their travel time.
        """
        by_worker_day: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
        for i, cand in enumerate(self.cands):
            for ref in cand.workers:
                by_worker_day[(ref, cand.day)].append(i)
        pad = dt.timedelta(minutes=15)
        for indices in by_worker_day.values():
            if len(indices) < 2:
                continue
            indices.sort(key=lambda i: self.cands[i].start)
            spans = [(self.cands[i].start, self.cands[i].end + pad, i) for i in indices]
            seen: set[frozenset[int]] = set()
            for point in sorted({start for start, _, _ in spans}):
                covering = frozenset(i for lo, hi, i in spans if lo <= point < hi)
                if len(covering) > 1 and covering not in seen:
                    seen.add(covering)
                    self.model.add_at_most_one(self.vars[i] for i in sorted(covering))
            starts = [self.cands[i].start for i in indices]
            kids = {self.cands[i].child for i in indices}
            longest = max(self.travel.between(a, b) for a in kids for b in kids)
            if longest <= 15:
                continue
            for i in indices:
                a = self.cands[i]
                lo = bisect.bisect_left(starts, a.end + pad)
                hi = bisect.bisect_left(starts, a.end + dt.timedelta(minutes=longest))
                for k in range(lo, hi):
                    b = self.cands[indices[k]]
                    if b.child == a.child:
                        continue
                    if b.start < a.end + dt.timedelta(
                        minutes=self.travel.between(a.child, b.child)
                    ):
                        self.model.add_bool_or([self.vars[i].Not(), self.vars[indices[k]].Not()])

    def _capacity(self) -> None:
        """Rule 6: session minutes per worker and ISO week within the weekly capacity."""
        by_week: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
        for i, cand in enumerate(self.cands):
            for ref in cand.workers:
                by_week[(ref, monday(cand.day))].append(i)
        for (ref, week), indices in by_week.items():
            cap = weekly_capacity_minutes(self.ctx.workers[ref], week)
            room = max(0, cap - self.facts.minutes.get((ref, week), 0))
            total = sum(self.cands[i].minutes for i in indices)
            if total > room:
                self.model.add(
                    cp_model.LinearExpr.weighted_sum(
                        [self.vars[i] for i in indices], [self.cands[i].minutes for i in indices]
                    )
                    <= room
                )

    def _continuity(self, by_child_day: dict[tuple[str, dt.date], list[int]]) -> None:
        ctx, model = self.ctx, self.model
        continuity = self.levels[1]
        for i, cand in enumerate(self.cands):
            risk = risk_weight(ctx.children[cand.child])
            if COVER_WEIGHT[cand.role]:
                continuity.add(self.vars[i], COVER_WEIGHT[cand.role] * risk)
        for (child, _day), group in getattr(self, "handover_groups", {}).items():
            risk = risk_weight(ctx.children[child])
            missing = model.new_bool_var(f"no_handover[{child},{_day}]")
            model.add(sum(self.vars[i] for i in group) + missing == 1)
            continuity.add(missing, HANDOVER_WEIGHT * risk)
            self.derived.append((missing, "none", 1, [self.vars[i] for i in group]))
            for i in group:  # the closer to the change, the better the handover
                days_before = (_day - self.cands[i].day).days - 1
                self.levels[3].add(self.vars[i], days_before // 3)
        for child in self.part.children:
            self._contact_gaps(child, by_child_day)

    def _gap_windows(self, child: str) -> list[list[dt.date]]:
        """Runs of days of which one must hold a key-worker session (goal 2), leaving out
        those a fixed session with the key worker already meets.

        A run ends the day before each day ``d`` and is as long as the ``max_gap_days``
        of the plan in force on ``d``, so a plan replaced mid-horizon is judged by its
        own limit on its own days (as ``findings.gap_stretches`` reports it).
        """
        found = self._windows.get(child)
        if found is not None:
            return found
        ctx = self.ctx
        days = ctx.in_force[child]
        out: list[list[dt.date]] = []
        self._windows[child] = out
        if not ctx.periods.get(child):
            return out
        first_key, _ = self._allocation(child, days[0])
        start_ref = gap_start(ctx, child, ctx.contact_anchor(child, first_key))
        end_ref = min(ctx.instance.horizon_end, days[-1])
        fixed_contact: set[dt.date] = set()
        for s in self.facts.kept_by_child.get(child, []):
            day = ctx.local_day(s.start)
            key, _ = self._allocation(child, day)
            if key is not None and key in (s.worker, s.with_worker):
                fixed_contact.add(day)
        seen: set[tuple[dt.date, int]] = set()
        day = start_ref + dt.timedelta(days=1)
        while day <= end_ref:
            plan = ctx.plan_on(child, day)
            if plan is not None:
                first = day - dt.timedelta(days=plan.max_gap_days)
                if first > start_ref and (first, plan.max_gap_days) not in seen:
                    seen.add((first, plan.max_gap_days))
                    window = [first + dt.timedelta(days=k) for k in range(plan.max_gap_days)]
                    if not any(d in fixed_contact for d in window):
                        out.append(window)
            day += dt.timedelta(days=1)
        return out

    def _contact_gaps(self, child: str, by_child_day: dict[tuple[str, dt.date], list[int]]) -> None:
        model = self.model
        contact: dict[dt.date, cp_model.IntVar] = {}
        for day in self.ctx.in_force[child]:
            indices = by_child_day.get((child, day), [])
            kw = [self.vars[i] for i in indices if self.cands[i].role == KEY]
            if kw:
                flag = model.new_bool_var(f"contact[{child},{day}]")
                model.add(flag == sum(kw))
                contact[day] = flag
                self.derived.append((flag, "any", 1, kw))
        risk = risk_weight(self.ctx.children[child])
        for window in self._gap_windows(child):
            terms = [contact[d] for d in window if d in contact]
            if not terms:
                continue
            slack = model.new_bool_var(f"gap[{child},{window[0]}]")
            model.add(sum(terms) + slack >= 1)
            self.levels[1].add(slack, GAP_WEIGHT * risk)
            self.derived.append((slack, "none", 1, terms))

    def _prepare_costs(self) -> None:
        """Which candidates keep an existing session (the hints), and each one's routine,
        travel and wish cost (level 4); needed by the greedy start and the model."""
        ctx = self.ctx
        self.index_of: dict[tuple[str, str, str | None, dt.datetime], int] = {}
        for i, cand in enumerate(self.cands):
            if cand.rescue_of is None:
                self.index_of[(cand.child, cand.worker, cand.with_worker, cand.start)] = i
        self.hints: list[int] = []
        for child in self.part.children:
            for e in ctx.movable_sessions.get(child, []):
                found = self.index_of.get((child, e.worker, e.with_worker, e.start))
                if found is not None:
                    self.hints.append(found)
        self.routine_cost: dict[int, int] = {}
        for i in range(len(self.cands)):
            self.routine_cost[i] = self._routine_of(i)

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
        slot = (cand.day.weekday(), ctx.wall(cand.start)[1])
        cost = 0
        if pattern:
            if slot not in pattern:
                cost += 1 if any(slot[0] == p[0] for p in pattern) else 2
        elif anchor_minute >= 0:
            cost += (slot[0] not in anchor_days) + (slot[1] != anchor_minute)
        cost += max(0, self.travel.from_base(cand.worker, child) - 15) // 15
        if kid.preferred_gender and ctx.workers[cand.worker].gender != kid.preferred_gender:
            cost += 1
        return cost

    def _stability_and_routine(self, stability: Level, routine: Level) -> None:
        ctx, model = self.ctx, self.model
        for child in self.part.children:
            for e in ctx.movable_sessions.get(child, []):
                found = self.index_of.get((child, e.worker, e.with_worker, e.start))
                if found is None:
                    continue  # cannot be kept: its move is already forced
                moved = model.new_bool_var(f"moved[{e.id}]")
                model.add(moved + self.vars[found] >= 1)
                stability.add(moved, 1)
                self.derived.append((moved, "none", 1, [self.vars[found]]))
        for i, var in enumerate(self.vars):
            routine.add(var, self.routine_cost[i])

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

    def _contested(self) -> set[int]:
        """Candidates of children who can meet any time that sit in a slot a child with
        narrow windows (after school, say) could also use with that worker."""
        pad = dt.timedelta(minutes=30)
        spans: dict[tuple[str, dt.date], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        for cand in self.cands:
            if self.ctx.children[cand.child].availability:
                spans[(cand.worker, cand.day)].append((cand.start - pad, cand.end + pad))
        # per worker-day, the union of the narrow children's padded slots: disjoint
        # and sorted, so one bisect finds the only span a candidate could meet
        merged: dict[tuple[str, dt.date], tuple[list[dt.datetime], list[dt.datetime]]] = {}
        for key, found in spans.items():
            los: list[dt.datetime] = []
            his: list[dt.datetime] = []
            for lo, hi in sorted(found):
                if los and lo <= his[-1]:
                    his[-1] = max(his[-1], hi)
                else:
                    los.append(lo)
                    his.append(hi)
            merged[key] = (los, his)
        out: set[int] = set()
        for i, cand in enumerate(self.cands):
            if self.ctx.children[cand.child].availability:
                continue
            union = merged.get((cand.worker, cand.day))
            if union is None:
                continue
            los, his = union
            k = bisect.bisect_right(his, cand.start)
            if k < len(los) and los[k] < cand.end:
                out.add(i)
        return out

    def _packing(self) -> Packing:
        """An empty packing with this model's period room and one-of groups."""
        ctx = self.ctx
        group_of: dict[int, Hashable] = {}
        for key, group in getattr(self, "handover_groups", {}).items():
            for i in group:
                group_of[i] = ("handover", key)
        for sid, group in self.rescues.items():
            for i in group:
                group_of[i] = ("rescue", sid)
        room: dict[tuple[str, dt.date, int], int] = {}
        for child in self.part.children:
            for period in ctx.periods.get(child, []):
                pk = period_key(period)
                room[pk] = max(0, period.target - self.facts.count.get(pk, 0))
        return Packing(
            ctx, self.travel, self.cands, room=room, minutes=self.facts.minutes, group_of=group_of
        )

    def _greedy_hint(
        self,
        first: list[int] | None = None,
        *,
        yardstick: bool = False,
        by_risk: bool = False,
        handovers_first: bool = False,
    ) -> list[int]:
        """A feasible start for CP-SAT: keep ``first`` (by default the existing sessions),
        then fill each period with the key worker first, high risk first, in the
        cheapest routine slot; what is still short gets the first free slot with anyone
        in the team. ``yardstick``: only that last pass, children in input order (what
        ``bench/greedy.py`` does by hand), or ``by_risk`` (high risk first), with or
        without the handovers taken first; the solver starts from the best of these.
        Returns ``[]`` where a session of ``first`` does not fit."""
        ctx = self.ctx
        keep = self.hints if first is None else first
        pack = self._packing()
        for i in keep:
            if pack.fits(self.cands[i], i):
                pack.take(i)
            elif first is not None:
                return []
        if first is None:
            self.kept_hints = list(pack.picked)
        # most constrained children first (those who can only meet after school have
        # few slots); the key worker in a first pass, cover only in a second
        key_options: dict[str, int] = defaultdict(int)
        for cand in self.cands:
            if cand.role == KEY:
                key_options[cand.child] += 1
        children = sorted(
            (c for c in self.part.children if c in self.by_child or ctx.periods.get(c)),
            key=lambda c: (
                key_options[c],
                -risk_weight(ctx.children[c]),
                c,
            ),
        )
        if yardstick:
            children = [c for c in self.part.children if c in self.by_child or ctx.periods.get(c)]
            if by_risk:
                children.sort(key=lambda c: -risk_weight(ctx.children[c]))
        if handovers_first:  # the handovers before a known change first (goal 2)
            for child in children:
                for i in sorted(
                    (i for i in self.by_child.get(child, []) if self.cands[i].handover),
                    key=lambda i: (self.cands[i].start, i),
                ):
                    if pack.fits(self.cands[i], i):
                        pack.take(i)
        contested: set[int] = set()
        if not yardstick:
            if self._contested_cache is None:  # an ordering hint: once is enough
                self._contested_cache = self._contested()
            contested = self._contested_cache
        for allowed in ({KEY}, {KEY, SECONDARY, OTHER}) if not yardstick else ():
            for child in children:
                options = sorted(
                    (i for i in self.by_child.get(child, []) if self.cands[i].role in allowed),
                    key=lambda i: (  # first fit: packing from the start of the day
                        ROLE_RANK[self.cands[i].role],  # leaves the most room (goal 1 first);
                        not self.cands[i].handover,  # CP-SAT then improves the routine
                        i in contested,
                        self.cands[i].start,
                        self.routine_cost.get(i, 0),
                        i,
                    ),
                )
                for i in options:
                    if pack.fits(self.cands[i], i):
                        pack.take(i)
        self._fill_short(pack, children)
        return list(pack.picked)

    def _fill_short(self, pack: Packing, children: list[str]) -> None:
        """What is still short: the first free slot on the 15-minute grid with anyone in
        the team who may see the child (what a manager would try by hand)."""
        ctx = self.ctx
        for child in children:
            for period in ctx.periods.get(child, []):
                pk = period_key(period)
                if pack.room.get(pk, 0) <= 0:
                    continue
                key = next(
                    (
                        self._allocation(child, d)[0]
                        for d in ctx.in_force[child]
                        if period.contains(d) and self._allocation(child, d)[0]
                    ),
                    None,
                )
                kid = ctx.children[child]
                team = [key] if key else []
                team += [
                    w for w in self.part.workers if w != key and may_work_with(ctx.workers[w], kid)
                ]
                for w in team:
                    if pack.room[pk] <= 0:
                        break
                    for day in ctx.in_force[child]:
                        if pack.room[pk] <= 0:
                            break
                        if not period.contains(day) or day < ctx.today or not ctx.at_work(w, day):
                            continue
                        if pack.has_session(child, day) or day in self.facts.days.get(child, ()):
                            continue
                        for cand in self._grid_slots(child, period, day, w):
                            if not pack.fits(cand):  # only the slot taken joins the model
                                continue
                            pack.take(self._intern(cand))
                            break

    def _grid_slots(self, child: str, period: Period, day: dt.date, worker: str) -> list[Candidate]:
        """Every slot on the 15-minute grid for ``child`` with ``worker`` alone that day,
        clear of the fixed sessions: the same for every construction, so built once."""
        key = (child, period_key(period), day, worker)
        found = self._grid_cache.get(key)
        if found is None:
            found = make_candidates(
                self.ctx,
                child=child,
                period=period,
                day=day,
                worker=worker,
                with_worker=None,
                role=self._role(child, day, worker, None),
                step=15,
                extra=set(),
                busy=self.facts.busy,
                travel=self.travel,
            )
            self._grid_cache[key] = found
        return found

    def _intern(self, cand: Candidate) -> int:
        """The index of ``cand``, added to the model if it is not a candidate yet."""
        ident = (cand.child, cand.worker, cand.with_worker, cand.start)
        found = self.index_of.get(ident)
        if found is not None:
            return found
        i = len(self.cands)
        self._add(cand)
        self.index_of[ident] = i
        self.routine_cost[i] = self._routine_of(i)
        return i

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

    def _existing_candidates(self, child: str, period: Period) -> None:
        """The candidates that keep ``child``'s existing sessions in ``period`` as they are."""
        ctx = self.ctx
        for e in self._own_sessions(child):
            if period.contains(ctx.local_day(e.start)):
                self._add_kept(child, period, e)

    def _add_kept(self, child: str, period: Period, e: ExistingSession) -> None:
        """Add the candidate that keeps existing session ``e`` at its worker(s) and time,
        if rules 1-5 against the fixed sessions still allow it."""
        ctx = self.ctx
        day = ctx.local_day(e.start)
        for cand in make_candidates(
            ctx,
            child=child,
            period=period,
            day=day,
            worker=e.worker,
            with_worker=e.with_worker,
            role=self._role(child, day, e.worker, e.with_worker),
            step=10_000,
            extra={ctx.wall(e.start)[1]},
            busy=self.facts.busy,
            travel=self.travel,
            handover=e.with_worker is not None,
        ):
            if cand.start == e.start:
                self._add(cand)

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

    def solve(self, budget: Budget, cp_workers: int, params: SolverParams) -> TeamTimetable:
        self.build_candidates()
        self._prepare_costs()
        own = self._greedy_hint()
        kept = {self.cands[i].child for i in self.kept_hints}
        for child in self.unchanged:
            count = sum(1 for i in self.kept_hints if self.cands[i].child == child)
            if child not in kept or count != len(self._own_sessions(child)):
                raise _Rebuild(child)
        starts: list[list[int]] = [own]
        variants = list(itertools.product((False, True), (False, True)))
        if budget.work < FEW_STARTS_BELOW:  # the one that wins most often on generated teams
            variants = [(True, False)]
        for by_risk, handovers_first in variants:
            starts.append(
                self._greedy_hint(yardstick=True, by_risk=by_risk, handovers_first=handovers_first)
            )
        pins = self._pinned()
        frozen = {self.cands[i].child for i in pins} | self._untouched_without_own_sessions()
        shorts = [self._short_cost(p) for p in starts]  # repair only the best for goal 1
        repaired = [
            self._repaired(p, frozen)
            for p, short in zip(starts, shorts, strict=True)
            if short == min(shorts)
        ]
        costs = [(self._short_cost(p), self._level2_cost(p)) for p, _ in repaired]
        best, unpinned = repaired[costs.index(min(costs))]  # goal 1, then goal 2
        picked = set(best)
        # a pinned child whose session the repair moved for another's goal-2 gain is free
        pins = [i for i in pins if self.cands[i].child not in unpinned]
        if budget.work < MIN_SEARCH_WORK:
            # too little work for CP-SAT to better the start (building the model and its
            # presolve alone take more at this size): the repaired start is the plan
            indices = sorted(picked)
            levels = self._start_levels(indices)
        else:
            indices, levels = self._search(
                picked, pins, frozen, budget=budget, cp_workers=cp_workers, params=params
            )
        chosen = [self.cands[i] for i in indices]
        rescued = {c.rescue_of for c in chosen if c.rescue_of is not None}
        cancelled = [
            s
            for child in self.part.children
            for s in self.facts.broken.get(child, [])
            if s.id not in rescued
        ]
        return TeamTimetable(chosen, cancelled, levels, set(self.rescues))

    def _search(
        self,
        picked: set[int],
        pins: list[int],
        frozen: set[str],
        *,
        budget: Budget,
        cp_workers: int,
        params: SolverParams,
    ) -> tuple[list[int], list[LevelResult]]:
        """CP-SAT's lexicographic search from the start ``picked``, then a last fill."""
        self.build_constraints()
        start = self._hint(picked)
        replace_hints(self.model, start)
        self.levels[1].restart_hint = start
        pinned = {self.cands[i].child for i in pins}

        def repaired_level_one(values: list[int]) -> list[tuple[cp_model.IntVar, int]] | None:
            # goal 1's search moves sessions with no eye on continuity: the continuity
            # repair of its solution starts goal 2 where the sessions it found are kept
            chosen = [i for i, var in enumerate(self.vars) if values[var.index]]
            repaired, moved = self._repaired(chosen, frozen)
            return None if moved & pinned else self._hint(set(repaired))

        self.levels[1].restart_from = repaired_level_one
        for i in pins:
            self.model.add(self.vars[i] == 1)
        lex = solve_lexicographic(
            self.model,
            self.levels,
            budget=budget,
            num_workers=cp_workers,
            seed=params.random_seed,
            log=params.log_search,
            stage=f"timetable {self.part.team}",
            shares=TIMETABLE_LEVEL_SHARES,
        )
        indices = [i for i, v in enumerate(self.vars) if lex.is_true(v)]
        filled = self._greedy_hint(indices)  # a session more wherever one still fits
        levels = lex.levels
        if len(filled) > len(indices):
            indices = sorted(filled)
            value = self._short_cost(indices)
            levels = [
                replace(r, value=value, bound=min(r.bound, value), optimal=r.bound >= value)
                if r.level == 1
                else r
                for r in levels
            ]
        return indices, levels

    def _hint(self, picked: set[int]) -> list[tuple[cp_model.IntVar, int]]:
        """Every variable's value when the candidates ``picked`` are the plan."""
        start = [(var, int(i in picked)) for i, var in enumerate(self.vars)]
        known = {var.index: value for var, value in start}
        for var, kind, room, terms in self.derived:
            total = sum(known[t.index] for t in terms)
            if kind == "short":
                value = max(0, room - total)
            elif kind == "any":
                value = min(1, total)
            else:  # "none": 1 when none of the terms is chosen
                value = int(total == 0)
            known[var.index] = value
            start.append((var, value))
        return start

    def _start_levels(self, picked: list[int]) -> list[LevelResult]:
        """The four levels' values of a start taken as the plan (bounds: 0)."""
        chosen = set(picked)
        values = [
            self._short_cost(picked),
            self._level2_cost(picked),
            sum(1 for i in self.hints if i not in chosen),
            sum(self.routine_cost.get(i, 0) for i in picked),
        ]
        return [
            LevelResult(level.level, level.name, value, 0, value == 0)
            for level, value in zip(self.levels, values, strict=True)
        ]

    def _level2_cost(self, picked: list[int]) -> int:
        """Level 2 of a set of candidates: cover, contact gaps, missing handovers."""
        by_child: dict[str, list[int]] = defaultdict(list)
        for i in picked:
            by_child[self.cands[i].child].append(i)
        cost = sum(
            continuity_cost(
                [self.cands[i] for i in by_child.get(c, [])],
                self._gap_windows(c),
                risk_weight(self.ctx.children[c]),
            )
            for c in self.part.children
        )
        chosen = set(picked)
        for (child, _day), group in getattr(self, "handover_groups", {}).items():
            if not chosen.intersection(group):
                cost += HANDOVER_WEIGHT * risk_weight(self.ctx.children[child])
        return cost

    def _repaired(self, picked: list[int], frozen: set[str]) -> tuple[list[int], set[str]]:
        """``picked`` after the continuity repair and a last fill, and the ``frozen`` children
        whose sessions it moved out of the way of another child's goal-2 gain."""
        pack = self._packing()
        for i in picked:
            pack.take(i)
        repair = ContinuityRepair(
            pack,
            self.by_child,
            gap_windows=self._gap_windows,
            routine_cost=self.routine_cost,
            risk=lambda child: risk_weight(self.ctx.children[child]),
            frozen=frozen,
            alternatives=self._alternatives,
        )
        repair.add_handovers(getattr(self, "handover_groups", {}).values())
        repair.run()  # a second pass: 0.1 % more off level 2 for twice the time (service)
        # the moves may have freed a slot for a period still short (goal 1): fill it now,
        # or the cross-team cover takes it and the next re-plan gives it back to the team
        ctx = self.ctx
        self._fill_short(
            pack,
            sorted(
                (c for c in self.part.children if ctx.periods.get(c)),
                key=lambda c: (-risk_weight(ctx.children[c]), c),
            ),
        )
        return list(pack.picked), repair.moved_frozen

    def _alternatives(self, i: int) -> list[int]:
        """Other slots, with the same worker, in the period of session ``i``: a pinned
        child has only its existing sessions as candidates (see ``_unchanged_children``)."""
        found = self._alternative_slots.get(i)
        if found is not None:
            return found
        ctx, cand = self.ctx, self.cands[i]
        found = []
        self._alternative_slots[i] = found
        if cand.with_worker is not None:
            return found
        for day in ctx.in_force[cand.child]:
            if (
                not cand.period.contains(day)
                or day < ctx.today
                or not ctx.at_work(cand.worker, day)
            ):
                continue
            if day in self.facts.days.get(cand.child, ()):
                continue
            for fresh in make_candidates(
                ctx,
                child=cand.child,
                period=cand.period,
                day=day,
                worker=cand.worker,
                with_worker=None,
                role=self._role(cand.child, day, cand.worker, None),
                step=KEY_STEP,
                extra=set(),
                busy=self.facts.busy,
                travel=self.travel,
            ):
                found.append(self._intern(fresh))
        return found

    def _short_cost(self, picked: list[int]) -> int:
        """Level 1 of a set of candidates: sessions short of the targets, by risk."""
        count: dict[tuple[str, dt.date, int], int] = defaultdict(int)
        for i in picked:
            count[period_key(self.cands[i].period)] += 1
        cost = 0
        for child in self.part.children:
            risk = risk_weight(self.ctx.children[child])
            for period in self.ctx.periods.get(child, []):
                pk = period_key(period)
                room = max(0, period.target - self.facts.count.get(pk, 0))
                cost += risk * max(0, room - count[pk])
        return cost


def timetable(
    ctx: Context, alloc: AllocationResult, params: SolverParams, budget: Budget
) -> TimetableResult:
    facts = fixed_facts(ctx)
    travel = TravelTable(ctx)
    parts = team_parts(ctx)
    sizes = [len(p.children) for p in parts]

    def work(part: TeamPart, share: Budget, cpw: int) -> TeamTimetable:
        try:
            return _TeamModel(ctx, part, alloc, facts, travel).solve(share, cpw, params)
        except _Rebuild:  # a kept session no longer fits: every child gets all candidates
            model = _TeamModel(ctx, part, alloc, facts, travel, shortcut=False)
            return model.solve(share, cpw, params)

    outputs = run_parts(
        parts, sizes, budget, params.num_workers, work, use_processes=params.use_processes
    )
    result = TimetableResult(kept=facts.kept)
    cross = CrossTeamCover(
        ctx,
        travel,
        fixed_busy=facts.busy,
        fixed_minutes=facts.minutes,
        fixed_count=facts.count,
        fixed_days=facts.days,
    )
    for out in outputs:
        result.chosen.extend(out.chosen)
        result.cancelled.extend(out.cancelled)
        result.levels.append(out.levels)
        result.rescuable |= out.rescuable
        for cand in out.chosen:
            cross.add(cand)
    result.chosen.extend(cross.keep(ctx.movable_sessions))  # goal 3 for cross-team cover
    result.chosen.extend(cross.fill())
    # broken sessions of children without a plan in the horizon are cancelled too
    planned = set(ctx.planned)
    for child, sessions in facts.broken.items():
        if child not in planned:
            result.cancelled.extend(sessions)
    return result

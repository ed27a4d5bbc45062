"""The constraints and the goal levels' costs of one team's model: period counts
(goal 1), cover, contact gaps and handovers (goal 2), moves (goal 3), routine
(goal 4); rules 4-6 are ``constraints/``."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict

from ortools.sat.python import cp_model

from solver.candidates import (
    KEY,
)
from solver.findings import gap_start
from solver.lexico import Level
from solver.periods import period_key
from solver.terms import Reason
from solver.timetable.candidates import TeamCandidates
from solver.timetable.constraints import add_capacity, add_no_overlap, add_one_a_day
from solver.weights import (
    CANCELLED_SESSION_WEIGHT,
    COVER_WEIGHT,
    GAP_WEIGHT,
    HANDOVER_DAYS_PER_UNIT,
    HANDOVER_WEIGHT,
    MOVED_SESSION_WEIGHT,
    UNMET_SESSION_WEIGHT,
    risk_weight,
)


class TeamObjectives(TeamCandidates):
    """The constraints and every level's terms."""

    # -- constraints ------------------------------------------------------------
    def build_constraints(self) -> None:
        ctx, model = self.ctx, self.model
        unmet, _continuity, stability, routine = self.levels
        # period counts (rule 5, one a day, below)
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
                    unmet.add(
                        short,
                        UNMET_SESSION_WEIGHT * risk,
                        Reason.SHORT,
                        {"child": child, "day": period.first_day},
                    )
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
                    stability.add(
                        cancel,
                        CANCELLED_SESSION_WEIGHT,
                        Reason.SESSION_CANCELLED,
                        {"child": child, "session": broken.id},
                    )
                    self.derived.append((cancel, "none", 1, options))
        by_child_day = add_one_a_day(model, self.cands, self.vars)
        add_no_overlap(model, self.cands, self.vars, self.travel)
        add_capacity(model, self.cands, self.vars, ctx.workers, self.facts.minutes)
        self._continuity(by_child_day)
        self._stability_and_routine(stability, routine)

    def _continuity(self, by_child_day: dict[tuple[str, dt.date], list[int]]) -> None:
        ctx, model = self.ctx, self.model
        continuity = self.levels[1]
        for i, cand in enumerate(self.cands):
            risk = risk_weight(ctx.children[cand.child])
            if COVER_WEIGHT[cand.role]:
                continuity.add(self.vars[i], COVER_WEIGHT[cand.role] * risk, Reason.COVER)
        for (child, _day), group in self.handover_groups.items():
            risk = risk_weight(ctx.children[child])
            missing = model.new_bool_var(f"no_handover[{child},{_day}]")
            model.add(sum(self.vars[i] for i in group) + missing == 1)
            continuity.add(
                missing,
                HANDOVER_WEIGHT * risk,
                Reason.NO_HANDOVER,
                {"child": child, "day": _day},
            )
            self.derived.append((missing, "none", 1, [self.vars[i] for i in group]))
            for i in group:  # the closer to the change, the better the handover
                days_before = (_day - self.cands[i].day).days - 1
                self.levels[3].add(
                    self.vars[i], days_before // HANDOVER_DAYS_PER_UNIT, Reason.HANDOVER_EARLY
                )
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
            self.levels[1].add(
                slack, GAP_WEIGHT * risk, Reason.CONTACT_GAP, {"child": child, "day": window[0]}
            )
            self.derived.append((slack, "none", 1, terms))

    def _prepare_costs(self) -> None:
        """Which candidates keep an existing session (the hints), and each one's routine,
        travel and wish cost (level 4); needed by the greedy start and the model."""
        ctx = self.ctx
        self.index_of = {}
        for i, cand in enumerate(self.cands):
            if cand.rescue_of is None:
                self.index_of[(cand.child, cand.worker, cand.with_worker, cand.start)] = i
        self.hints = []
        for child in self.part.children:
            for e in ctx.movable_sessions.get(child, []):
                found = self.index_of.get((child, e.worker, e.with_worker, e.start))
                if found is not None:
                    self.hints.append(found)
        self.routine_cost = {}
        for i in range(len(self.cands)):
            self.routine_cost[i] = self._routine_of(i)

    def _stability_and_routine(self, stability: Level, routine: Level) -> None:
        ctx, model = self.ctx, self.model
        for child in self.part.children:
            for e in ctx.movable_sessions.get(child, []):
                found = self.index_of.get((child, e.worker, e.with_worker, e.start))
                if found is None:
                    continue  # cannot be kept: its move is already forced
                moved = model.new_bool_var(f"moved[{e.id}]")
                model.add(moved + self.vars[found] >= 1)
                stability.add(moved, MOVED_SESSION_WEIGHT, Reason.SESSION_MOVED, {"session": e.id})
                self.derived.append((moved, "none", 1, [self.vars[found]]))
        for i, var in enumerate(self.vars):
            routine.add(var, self.routine_cost[i], Reason.ROUTINE)

    def _contested(self) -> set[int]:
        """Candidates of children who can meet any time that sit in a slot a child with
        narrow windows (after school, say) could also use with that worker."""
        pad = dt.timedelta(minutes=30)
        narrow = {c: bool(self.ctx.children[c].availability) for c in self.by_child}
        spans: dict[tuple[str, dt.date], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        for cand in self.cands:
            if narrow[cand.child]:
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
            if narrow[cand.child]:
                continue
            union = merged.get((cand.worker, cand.day))
            if union is None:
                continue
            los, his = union
            k = bisect.bisect_right(his, cand.start)
            if k < len(los) and los[k] < cand.end:
                out.add(i)
        return out

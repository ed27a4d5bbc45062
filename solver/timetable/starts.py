"""The greedy starts of one team's model, their continuity repair, and the levels'
values of a set of candidates computed in Python (for the starts and the last fill)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable

from ortools.sat.python import cp_model

from solver.candidates import (
    KEY,
    OTHER,
    SECONDARY,
)
from solver.eligibility import may_work_with
from solver.lexico import LevelResult
from solver.packing import Packing
from solver.periods import period_key
from solver.repair import ROLE_RANK, ContinuityRepair, continuity_cost
from solver.timetable.objectives import TeamObjectives
from solver.weights import (
    HANDOVER_WEIGHT,
    MOVED_SESSION_WEIGHT,
    UNMET_SESSION_WEIGHT,
    risk_weight,
)


class TeamStarts(TeamObjectives):
    """The greedy starts, the repair and the levels' values of a start."""

    def _packing(self) -> Packing:
        """An empty packing with this model's period room and one-of groups."""
        ctx = self.ctx
        group_of: dict[int, Hashable] = {}
        for key, group in self.handover_groups.items():
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
        pack = self._packing()
        if not self._keep(pack, first):
            return []
        children = self._hint_order(yardstick=yardstick, by_risk=by_risk)
        if handovers_first:  # the handovers before a known change first (goal 2)
            self._take_handovers(pack, children)
        if not yardstick:
            self._key_first(pack, children)
        self._fill_short(pack, children)
        return list(pack.picked)

    def _keep(self, pack: Packing, first: list[int] | None) -> bool:
        """Take ``first`` (by default the existing sessions' candidates, those that fit);
        False where a session of an explicit ``first`` does not fit."""
        for i in self.hints if first is None else first:
            if pack.fits(self.cands[i], i):
                pack.take(i)
            elif first is not None:
                return False
        if first is None:
            self.kept_hints = list(pack.picked)
        return True

    def _hint_order(self, *, yardstick: bool, by_risk: bool) -> list[str]:
        """The children in the order the greedy start serves them: most constrained
        first (those who can only meet after school have few slots), high risk first;
        the yardstick's input order (or high risk first)."""
        ctx = self.ctx
        planned = [c for c in self.part.children if c in self.by_child or ctx.periods.get(c)]
        if yardstick:
            if by_risk:
                planned.sort(key=lambda c: -risk_weight(ctx.children[c]))
            return planned
        key_options: dict[str, int] = defaultdict(int)
        for cand in self.cands:
            if cand.role == KEY:
                key_options[cand.child] += 1
        return sorted(planned, key=lambda c: (key_options[c], -risk_weight(ctx.children[c]), c))

    def _take_handovers(self, pack: Packing, children: list[str]) -> None:
        for child in children:
            for i in sorted(
                (i for i in self.by_child.get(child, []) if self.cands[i].handover),
                key=lambda i: (self.cands[i].start, i),
            ):
                if pack.fits(self.cands[i], i):
                    pack.take(i)

    def _key_first(self, pack: Packing, children: list[str]) -> None:
        """The key worker in a first pass, cover only in a second; first fit (packing
        from the start of the day leaves the most room, goal 1 first; CP-SAT then
        improves the routine)."""
        if self._contested_cache is None:  # an ordering hint: once is enough
            self._contested_cache = self._contested()
        contested = self._contested_cache
        for allowed in ({KEY}, {KEY, SECONDARY, OTHER}):
            for child in children:
                options = sorted(
                    (i for i in self.by_child.get(child, []) if self.cands[i].role in allowed),
                    key=lambda i: (
                        ROLE_RANK[self.cands[i].role],
                        not self.cands[i].handover,
                        i in contested,
                        self.cands[i].start,
                        self.routine_cost.get(i, 0),
                        i,
                    ),
                )
                for i in options:
                    if pack.fits(self.cands[i], i):
                        pack.take(i)

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
                team = [key] if key else []
                team += [w for w in self._may_see(child) if w != key]
                open_days = self._open_days(child, period)
                for w in team:
                    if pack.room[pk] <= 0:
                        break
                    for day in open_days:
                        if pack.room[pk] <= 0:
                            break
                        if not ctx.at_work(w, day) or pack.has_session(child, day):
                            continue
                        cand = pack.first_fit(self._grid_slots(child, period, day, w))
                        if cand is not None:  # only the slot taken joins the model
                            pack.take(self._intern(cand))

    def _may_see(self, child: str) -> list[str]:
        """The team's workers who may see ``child`` (rule 3), in the team's order."""
        found = self._seers.get(child)
        if found is None:
            ctx, kid = self.ctx, self.ctx.children[child]
            found = [w for w in self.part.workers if may_work_with(ctx.workers[w], kid)]
            self._seers[child] = found
        return found

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
        repair.add_handovers(self.handover_groups.values())
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

    def _level2_cost(self, picked: list[int]) -> int:
        """Level 2 of a set of candidates: cover, contact gaps, missing handovers.

        Python, not the model's terms: it prices the greedy starts and their repairs,
        which are compared before the model is built (and where the budget is too
        small to build it, the best start is the plan)."""
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
        for (child, _day), group in self.handover_groups.items():
            if not chosen.intersection(group):
                cost += HANDOVER_WEIGHT * risk_weight(self.ctx.children[child])
        return cost

    def _short_cost(self, picked: list[int]) -> int:
        """Level 1 of a set of candidates: sessions short of the targets, by risk.

        Python for the same reason as ``_level2_cost``: the starts are priced before
        there is a model; once there is one, ``Level.value_at`` reads it from the terms."""
        count: dict[tuple[str, dt.date, int], int] = defaultdict(int)
        for i in picked:
            count[period_key(self.cands[i].period)] += 1
        cost = 0
        for child in self.part.children:
            risk = risk_weight(self.ctx.children[child])
            for period in self.ctx.periods.get(child, []):
                pk = period_key(period)
                room = max(0, period.target - self.facts.count.get(pk, 0))
                cost += UNMET_SESSION_WEIGHT * risk * max(0, room - count[pk])
        return cost

    def _start_levels(self, picked: list[int]) -> list[LevelResult]:
        """The four levels' values of a start taken as the plan (bounds: 0); the model
        was never built (too little work), so there are no terms to read them from."""
        chosen = set(picked)
        values = [
            self._short_cost(picked),
            self._level2_cost(picked),
            MOVED_SESSION_WEIGHT * sum(1 for i in self.hints if i not in chosen),
            sum(self.routine_cost.get(i, 0) for i in picked),
        ]
        return [
            LevelResult(level.level, level.name, value, 0, value == 0)
            for level, value in zip(self.levels, values, strict=True)
        ]

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

"""One team's timetable model: the search from the best start (see the package's
docstring for the levels)."""

from __future__ import annotations

import itertools
from dataclasses import replace

from ortools.sat.python import cp_model

from solver.budget import Budget
from solver.lexico import LevelResult, replace_hints, solve_lexicographic
from solver.params import (
    FEW_STARTS_BELOW,
    MIN_SEARCH_WORK,
    TIMETABLE_LEVEL_SHARES,
    SolverParams,
)
from solver.timetable.results import TeamTimetable
from solver.timetable.starts import TeamStarts
from solver.timetable.state import RebuildInFull


class TeamModel(TeamStarts):
    """One team's timetable model: candidates, constraints, costs, starts and search."""

    def solve(self, budget: Budget, cp_workers: int, params: SolverParams) -> TeamTimetable:
        self.build_candidates()
        self._prepare_costs()
        own = self._greedy_hint()
        kept = {self.cands[i].child for i in self.kept_hints}
        for child in self.unchanged:
            count = sum(1 for i in self.kept_hints if self.cands[i].child == child)
            if child not in kept or count != len(self._own_sessions(child)):
                raise RebuildInFull(child)
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
            # the fill came after the search: level 1 read from the terms at the filled plan
            at_fill = {var.index: value for var, value in self._hint(set(indices))}
            value = self.levels[0].value_at(at_fill)
            levels = [
                replace(r, value=value, bound=min(r.bound, value), optimal=r.bound >= value)
                if r.level == 1
                else r
                for r in levels
            ]
        return indices, levels

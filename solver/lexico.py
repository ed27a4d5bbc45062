"""Lexicographic optimisation with CP-SAT: one solve per goal level, each bounding the last.

Level k is minimised with every level above it constrained to stay at (or below)
the value found there, and the previous solution is the hint. So a lower level
can never buy anything with a worse higher level: this is a true lexicographic
order, not a weighted sum. A level is a ``solver.terms.Level`` (its named terms);
``LexResult.values`` is the whole solution that ``Level.paid`` reads back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.budget import Budget, stopped_by_clock, used
from solver.errors import SolverError
from solver.params import COMPLETION_WORK
from solver.terms import Level

__all__ = [
    "Level",  # lives in solver/terms.py; re-exported for the models that import it here
    "LevelResult",
    "LexResult",
    "hint_all",
    "replace_hints",
    "solve_lexicographic",
]


@dataclass(frozen=True, slots=True)
class LevelResult:
    level: int
    name: str
    value: int
    bound: int
    optimal: bool
    # the safety clock, not the work budget, ended this level's search
    clock_stopped: bool = False


@dataclass
class LexResult:
    values: list[int]
    levels: list[LevelResult]

    @property
    def clock_stopped(self) -> bool:
        return any(r.clock_stopped for r in self.levels)

    def value(self, var: cp_model.IntVar) -> int:
        return self.values[var.index]

    def is_true(self, var: cp_model.IntVar) -> bool:
        return self.values[var.index] != 0


def _upper(level: Level) -> int:
    """The most a level can cost (all weights positive, variables non-negative)."""
    return sum(
        w * int(v.proto.domain[-1]) for v, w in zip(level.variables, level.weights, strict=True)
    )


def _level_value(level: Level, values: list[int]) -> int:
    return sum(values[v.index] * w for v, w in zip(level.variables, level.weights, strict=True))


def _hint_value(level: Level, known: dict[int, int]) -> int | None:
    """``level``'s cost at the hinted values, None where a term is not hinted."""
    total = 0
    for var, weight in zip(level.variables, level.weights, strict=True):
        value = known.get(var.index)
        if value is None:
            return None
        total += weight * value
    return total


def _best_start(
    level: Level,
    values: list[int],
    above: Sequence[Level],
    results: Sequence[LevelResult],
) -> list[tuple[cp_model.IntVar, int]] | None:
    """The start for ``level``: the restart hint or the start built from ``values``.

    A start that a level above has since bettered is infeasible: CP-SAT would spend
    the level's work looking for a first solution (at team size most of the
    continuity level's), where the level above's own solution is one at once. Of
    the feasible starts that hint every term, the cheapest at this level wins; a
    restart hint that leaves terms out is taken as it always was. None: the level
    above's solution, already hinted, is the start.
    """
    found = {r.level: r.value for r in results}
    best: list[tuple[cp_model.IntVar, int]] | None = None
    best_value = _level_value(level, values)
    starts = [level.restart_hint]
    if level.restart_from is not None:
        starts.append(level.restart_from(values))
    for start in starts:
        if start is None:
            continue
        known = {var.index: value for var, value in start}
        if any(
            (cost := _hint_value(upper, known)) is not None and cost > found[upper.level]
            for upper in above
            if upper.level in found
        ):
            continue
        cost = _hint_value(level, known)
        if cost is None:
            return start  # a partial hint: CP-SAT completes it, as before
        if cost < best_value:
            best, best_value = start, cost
    return best


def _settings(solver: cp_model.CpSolver, num_workers: int, seed: int) -> None:
    solver.parameters.num_workers = num_workers
    # interleaved: the portfolio's workers take turns in fixed batches, so the search
    # is the same whatever the machine's load (and whatever num_workers is)
    solver.parameters.interleave_search = True
    solver.parameters.random_seed = seed


def _completed(
    model: cp_model.CpModel, budget: Budget, num_workers: int, seed: int
) -> list[int] | None:
    """The model's hint completed to a solution (hinted variables fixed), if it is one."""
    solver = cp_model.CpSolver()
    _settings(solver, num_workers, seed)
    solver.parameters.stop_after_first_solution = True
    solver.parameters.fix_variables_to_their_hinted_value = True
    budget.limit(solver, COMPLETION_WORK)
    if solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE) and _whole(solver, model):
        return list(solver.response_proto.solution)
    return None


def _whole(solver: cp_model.CpSolver, model: cp_model.CpModel) -> bool:
    """Whether the last solve's solution gives every variable of ``model`` a value.

    Twice, under a load of 7 on two cores with the safety clock near, a plan failed
    with an IndexError reading a solution shorter than its model; a solution that is
    not whole is taken as no solution, so the level keeps the one before."""
    return len(solver.response_proto.solution) == len(model.proto.variables)


def replace_hints(model: cp_model.CpModel, pairs: Sequence[tuple[cp_model.IntVar, int]]) -> None:
    """Make ``pairs`` the model's only hints.

    Written to the proto's repeated fields in bulk: one ``add_hint`` per variable
    costs about 0.2 s per 100,000 variables, paid again at every level.
    """
    indices = [var.index for var, _ in pairs]
    values = [int(value) for _, value in pairs]
    for k, index in enumerate(indices):
        if index < 0:  # a negated literal: hint its variable the other way, as add_hint
            indices[k], values[k] = -index - 1, 1 - values[k]
    model.proto.clear_solution_hint()
    hint = model.proto.solution_hint
    hint.vars.extend(indices)
    hint.values.extend(values)


def hint_all(model: cp_model.CpModel, values: Sequence[int]) -> None:
    """Hint every variable with its value in ``values`` (a whole solution, proto order)."""
    model.proto.clear_solution_hint()
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)


def solve_lexicographic(
    model: cp_model.CpModel,
    levels: list[Level],
    *,
    budget: Budget,
    num_workers: int,
    seed: int,
    log: bool = False,
    stage: str = "model",
    shares: tuple[float, ...] = (),
) -> LexResult:
    """Solve ``levels`` in order; the model's hints are the starting point.

    ``shares`` splits ``budget``'s work between levels (work a level leaves unused
    goes to the next). A level that the current solution already puts at 0 is
    optimal without a solve.
    """
    run = _Lexicographic(model, levels, budget, num_workers, seed, log, stage)
    run.shares = list(shares) if len(shares) == len(levels) else [1.0] * len(levels)
    run.work_left = budget.work
    for position, level in enumerate(levels):
        run.solve_level(position, level)
    return LexResult(run.values if run.values is not None else run.any_point(), run.results)


@dataclass
class _Lexicographic:
    """One lexicographic solve: the model, its levels and what the levels so far found."""

    model: cp_model.CpModel
    levels: list[Level]
    budget: Budget
    num_workers: int
    seed: int
    log: bool
    stage: str
    shares: list[float] = field(default_factory=list)
    work_left: float = 0.0
    values: list[int] | None = None  # the best solution so far, in proto order
    results: list[LevelResult] = field(default_factory=list)

    def solve_level(self, position: int, level: Level) -> None:
        """Minimise ``level`` with the levels above held at their values, then hold it."""
        model = self.model
        objective = cp_model.LinearExpr.weighted_sum(level.variables, level.weights)
        if self.values is not None and _level_value(level, self.values) == 0:
            self.results.append(LevelResult(level.level, level.name, 0, 0, True))
            model.add(objective <= 0)
            return
        following = self.levels[position + 1] if position + 1 < len(self.levels) else None
        scale = self._minimise(level, objective, following)
        restarted = self._restart(position, level)
        share = self.shares[position] / sum(self.shares[position:])
        solver = cp_model.CpSolver()
        _settings(solver, self.num_workers, self.seed)
        self.budget.limit(solver, self.work_left * share)
        solver.parameters.log_search_progress = self.log
        solver.parameters.relative_gap_limit = level.relative_gap
        status = solver.solve(model)
        self.work_left = max(0.0, self.work_left - used(solver))
        by_clock = stopped_by_clock(solver, status)
        hinted = self.values is not None  # the first point below is not hinted on
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and _whole(solver, model):
            self._found(level, solver, status == cp_model.OPTIMAL, scale, by_clock)
            hinted = True
        elif self.values is not None:
            self._no_better(level, restarted, by_clock)
        else:
            self._first_point(level, by_clock)
        # the level holds at its value from now on; its solution is the next level's hint
        model.add(objective <= self.results[-1].value)
        if hinted and self.values is not None:
            hint_all(model, self.values)

    def _minimise(
        self, level: Level, objective: cp_model.LinearExpr, following: Level | None
    ) -> int:
        """Set the objective; returns the scale of ``level`` in it (a tie-break's M)."""
        if level.tie_break_next and following is not None and following.variables:
            scale = _upper(following) + 1
            self.model.minimize(
                cp_model.LinearExpr.weighted_sum(
                    level.variables + following.variables,
                    [scale * w for w in level.weights] + following.weights,
                )
            )
            return scale
        self.model.minimize(objective)
        return 1

    def _restart(self, position: int, level: Level) -> bool:
        """Hint the level's own start where it is better; True where one was hinted."""
        if self.values is None or not (level.restart_hint or level.restart_from):
            return False
        start = _best_start(level, self.values, self.levels[:position], self.results)
        if start is None:
            return False
        replace_hints(self.model, start)
        return True

    def _found(
        self, level: Level, solver: cp_model.CpSolver, optimal: bool, scale: int, by_clock: bool
    ) -> None:
        values = list(solver.response_proto.solution)
        value = _level_value(level, values)
        # weights are positive, so 0 is a bound; with a tie-break the combined bound
        # divided by the scale bounds this level
        bound = max(0, math.floor((solver.best_objective_bound + 1e-6) / scale))
        if scale == 1:
            bound = max(0, math.ceil(solver.best_objective_bound - 1e-6))
        bound = min(bound, value)
        self.results.append(LevelResult(level.level, level.name, value, bound, optimal, by_clock))
        self.values = values

    def _no_better(self, level: Level, restarted: bool, by_clock: bool) -> None:
        """Out of work without a solution: the restart start, completed, may still be
        better at this level than the level above's solution (it meets the levels
        above, or completing it fails); without one, completing would give back the
        level above's solution."""
        assert self.values is not None
        if restarted:
            completed = _completed(self.model, self.budget, self.num_workers, self.seed)
            if completed is not None and _level_value(level, completed) < _level_value(
                level, self.values
            ):
                self.values = completed
        value = _level_value(level, self.values)
        self.results.append(LevelResult(level.level, level.name, value, 0, False, by_clock))

    def _first_point(self, level: Level, by_clock: bool) -> None:
        """Out of work before any solution: complete the hint (the greedy start), or
        else take the first feasible point (nothing scheduled, nobody allocated)."""
        model = self.model
        model.clear_objective()  # type: ignore[no-untyped-call]
        first = cp_model.CpSolver()
        _settings(first, self.num_workers, self.seed)
        first.parameters.stop_after_first_solution = True
        # a first point is owed whatever the budget: only the safety clock limits it
        first.parameters.max_time_in_seconds = self.budget.seconds_left() + 30.0
        first.parameters.fix_variables_to_their_hinted_value = True
        status = first.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or not _whole(first, model):
            first.parameters.fix_variables_to_their_hinted_value = False
            status = first.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or not _whole(first, model):
            raise SolverError(
                self.stage, f"no solution at level {level.name}: {first.status_name(status)}"
            )
        self.values = list(first.response_proto.solution)
        value = _level_value(level, self.values)
        self.results.append(LevelResult(level.level, level.name, value, 0, False, by_clock))

    def any_point(self) -> list[int]:
        """Every level was empty: solve once for a feasible point."""
        model = self.model
        model.clear_objective()  # type: ignore[no-untyped-call]
        solver = cp_model.CpSolver()
        _settings(solver, self.num_workers, self.seed)
        solver.parameters.stop_after_first_solution = True
        solver.parameters.max_time_in_seconds = self.budget.seconds_left() + 30.0
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or not _whole(solver, model):
            raise SolverError(self.stage, f"no feasible solution: {solver.status_name(status)}")
        return list(solver.response_proto.solution)

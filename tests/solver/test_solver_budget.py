"""Issue 11: the search's budget follows the size of the plan, and each goal level
starts from a solution that meets the levels above it."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from solver import SolverParams
from solver.budget import Budget
from solver.lexico import Level, LevelResult, _best_start, solve_lexicographic
from solver.params import MIN_SECONDS, SECONDS_PER_CHILD


@pytest.mark.parametrize(
    ("children", "seconds"),
    [(0, MIN_SECONDS), (10, MIN_SECONDS), (90, 90 * SECONDS_PER_CHILD), (3000, 30.0)],
)
def test_a_plan_gets_seconds_per_child_between_the_floor_and_the_limit(
    children: int, seconds: float
) -> None:
    assert SolverParams().seconds_for(children) == pytest.approx(seconds)


def test_the_limit_caps_the_floor_and_zero_per_child_gives_the_whole_limit() -> None:
    assert SolverParams(time_limit_seconds=2.0).seconds_for(10) == 2.0
    assert SolverParams(seconds_per_child=0).seconds_for(10) == 30.0
    small, large = SolverParams().budget(90), SolverParams().budget(3000)
    assert small.work < large.work == pytest.approx(30.0 * SolverParams().work_per_second)


def _two_levels() -> tuple[cp_model.CpModel, list[cp_model.IntVar], Level, Level]:
    """Three places, at most two taken; level 1 wants ``a``, level 2 wants neither b nor c."""
    model = cp_model.CpModel()
    a, b, c = (model.new_bool_var(n) for n in "abc")
    not_a = model.new_bool_var("not_a")
    model.add(a + not_a == 1)
    model.add(a + b + c <= 2)
    first, second = Level(1, "want a"), Level(2, "want neither b nor c")
    first.add(not_a, 1)
    second.add(b, 1)
    second.add(c, 1)
    return model, [a, b, c, not_a], first, second


def test_a_restart_hint_that_breaks_a_better_level_above_is_not_the_start() -> None:
    _model, (a, b, c, not_a), first, second = _two_levels()
    # the restart hint leaves ``a`` out: level 1 costs 1 there, where 0 was found
    second.restart_hint = [(a, 0), (b, 0), (c, 0), (not_a, 1)]
    values = [1, 1, 0, 0]  # level 1's solution: a and b taken (level 2 costs 1)
    done = [LevelResult(1, "want a", 0, 0, True)]
    assert _best_start(second, values, [first], done) is None


def test_a_start_built_from_the_level_above_is_taken_when_it_is_better() -> None:
    _model, (a, b, c, not_a), first, second = _two_levels()
    repaired = [(a, 1), (b, 0), (c, 0), (not_a, 0)]
    second.restart_from = lambda _values: repaired
    values = [1, 1, 0, 0]
    done = [LevelResult(1, "want a", 0, 0, True)]
    assert _best_start(second, values, [first], done) == repaired
    worse = [(a, 1), (b, 1), (c, 1), (not_a, 0)]  # breaks no level above, costs 2
    second.restart_from = lambda _values: worse
    assert _best_start(second, values, [first], done) is None


def test_a_partial_restart_hint_is_taken_as_before() -> None:
    _model, (a, b, _c, _not_a), first, second = _two_levels()
    partial = [(a, 1), (b, 0)]
    second.restart_hint = partial
    assert _best_start(second, [1, 1, 0, 0], [first], []) == partial


def test_the_levels_are_solved_in_order_from_those_starts() -> None:
    model, (a, b, c, _not_a), first, second = _two_levels()
    second.restart_from = lambda _values: None
    result = solve_lexicographic(
        model,
        [first, second],
        budget=Budget.for_seconds(5.0),
        num_workers=1,
        seed=0,
    )
    assert [r.value for r in result.levels] == [0, 0]
    assert (result.value(a), result.value(b), result.value(c)) == (1, 0, 0)

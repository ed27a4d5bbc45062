"""The stand-alone GAP solver (bench/gap): per-pair load and cost, capacities; gap1 optima."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.gap.solve import (
    greedy_gap,
    improve_by_tabu,
    is_feasible,
    lp_relaxation,
    solve_gap,
)
from bench.gap.tabu_search import tabu_search
from solver.assignment import GapProblem

GAP1 = Path("/work/shared/benchmarks/gap/orlib/gap1.txt")
GAP1_MIN_OPTIMA = [261, 269, 256, 274, 251]  # known_values.csv, min sense


def _problems() -> list[GapProblem]:
    tokens = [int(t) for t in GAP1.read_text().split()]
    count, pos, out = tokens[0], 1, []
    for _ in range(count):
        m, n = tokens[pos], tokens[pos + 1]
        pos += 2
        cost = [tokens[pos + i * n : pos + (i + 1) * n] for i in range(m)]
        pos += m * n
        weight = [tokens[pos + i * n : pos + (i + 1) * n] for i in range(m)]
        pos += m * n
        capacity = tokens[pos : pos + m]
        pos += m
        pairs = [(str(i), str(j)) for i in range(m) for j in range(n)]
        out.append(
            GapProblem(
                tuple(str(i) for i in range(m)),
                tuple(str(j) for j in range(n)),
                {p: weight[int(p[0])][int(p[1])] for p in pairs},
                {p: cost[int(p[0])][int(p[1])] for p in pairs},
                {str(i): capacity[i] for i in range(m)},
            )
        )
    return out


@pytest.mark.skipif(not GAP1.exists(), reason="benchmark data not present")
def test_gap1_problems_reach_their_proven_optima() -> None:
    for problem, optimum in zip(_problems(), GAP1_MIN_OPTIMA, strict=True):
        result = solve_gap(problem, time_limit=10.0, num_workers=1)
        assert result.optimal and result.cost == optimum == result.bound
        for agent in problem.agents:
            used = sum(problem.load[(a, j)] for j, a in result.assignment.items() if a == agent)
            assert used <= problem.capacity[agent]


def _w1_cannot_take_all_three() -> GapProblem:
    """Two workers, three jobs; W1 is cheapest for all three but has room for two."""
    return GapProblem(
        agents=("W1", "W2"),
        jobs=("A", "B", "C"),
        load={("W1", "A"): 2, ("W1", "B"): 2, ("W2", "B"): 1, ("W2", "C"): 1, ("W1", "C"): 1},
        cost={("W1", "A"): 1, ("W1", "B"): 1, ("W2", "B"): 5, ("W2", "C"): 5, ("W1", "C"): 1},
        capacity={"W1": 3, "W2": 2},
    )


def test_pairs_left_out_are_not_allowed_and_capacity_binds() -> None:
    problem = _w1_cannot_take_all_three()
    result = solve_gap(problem, time_limit=5.0, num_workers=1)
    assert result.optimal
    assert result.assignment == {"A": "W1", "B": "W2", "C": "W1"}  # W1 cannot take all three
    assert result.cost == 7
    lp_value, _, _ = lp_relaxation(problem)
    assert lp_value <= result.cost
    assert greedy_gap(problem) is not None


def _feasible(problem: GapProblem, assignment: dict[str, str]) -> bool:
    if set(assignment) != set(problem.jobs):
        return False
    if any((agent, job) not in problem.load for job, agent in assignment.items()):
        return False
    return all(
        sum(problem.load[(a, j)] for j, a in assignment.items() if a == agent)
        <= problem.capacity[agent]
        for agent in problem.agents
    )


@pytest.mark.skipif(not GAP1.exists(), reason="benchmark data not present")
def test_tabu_search_turns_the_overloaded_cheapest_start_into_a_feasible_assignment() -> None:
    problem = _problems()[0]
    m, n = len(problem.agents), len(problem.jobs)
    cost = np.array([[problem.cost[(str(i), str(j))] for j in range(n)] for i in range(m)])
    weight = np.array([[problem.load[(str(i), str(j))] for j in range(n)] for i in range(m)])
    capacity = np.array([problem.capacity[str(i)] for i in range(m)])
    start = np.argmin(cost, axis=0)  # every job at its cheapest agent: over capacity
    assert (np.bincount(start, weights=weight[start, np.arange(n)], minlength=m) > capacity).any()
    found = tabu_search(cost, weight, capacity, np.ones((m, n), bool), start, seconds=1.0)
    assert found is not None
    x, total = found
    assert total == int(cost[x, np.arange(n)].sum()) >= GAP1_MIN_OPTIMA[0]
    assert (np.bincount(x, weights=weight[x, np.arange(n)], minlength=m) <= capacity).all()


@pytest.mark.skipif(not GAP1.exists(), reason="benchmark data not present")
def test_improve_by_tabu_improves_a_bad_start_and_stays_feasible() -> None:
    for problem, optimum in zip(_problems()[:3], GAP1_MIN_OPTIMA[:3], strict=True):
        # a bad but feasible start: the dearest feasible assignment
        dear = GapProblem(
            problem.agents,
            problem.jobs,
            problem.load,
            {pair: -c for pair, c in problem.cost.items()},
            problem.capacity,
        )
        start = solve_gap(dear, time_limit=2.0, num_workers=1).assignment
        assert _feasible(problem, start)
        before = sum(problem.cost[(a, j)] for j, a in start.items())
        better = improve_by_tabu(problem, start, seconds=0.5)
        assert better is not None and _feasible(problem, better)
        after = sum(problem.cost[(a, j)] for j, a in better.items())
        assert optimum <= after < before
        assert after <= optimum * 1.05  # gap1 is small: the walk gets close


def test_tabu_search_never_uses_a_pair_that_is_not_allowed() -> None:
    problem = GapProblem(
        agents=("W1", "W2", "W3"),
        jobs=("A", "B", "C", "D"),
        load={
            ("W1", "A"): 2, ("W1", "B"): 2, ("W2", "B"): 1, ("W2", "C"): 2,
            ("W3", "C"): 1, ("W3", "D"): 2, ("W1", "D"): 1, ("W2", "A"): 3,
        },
        cost={
            ("W1", "A"): 1, ("W1", "B"): 1, ("W2", "B"): 4, ("W2", "C"): 2,
            ("W3", "C"): 6, ("W3", "D"): 3, ("W1", "D"): 1, ("W2", "A"): 9,
        },
        capacity={"W1": 3, "W2": 3, "W3": 3},
    )  # fmt: skip
    better = improve_by_tabu(problem, None, seconds=0.3)
    assert better is not None and _feasible(problem, better)
    result = solve_gap(problem, time_limit=2.0, num_workers=1)
    assert result.optimal and _feasible(problem, result.assignment)
    assert sum(problem.cost[(a, j)] for j, a in better.items()) >= result.cost


def test_an_overloaded_hint_is_never_returned() -> None:
    problem = _w1_cannot_take_all_three()
    hint = {"A": "W1", "B": "W1", "C": "W1"}  # cheapest, but W1 is over capacity
    assert not is_feasible(problem, hint)
    result = solve_gap(problem, time_limit=2.0, num_workers=1, hint=hint)
    assert is_feasible(problem, result.assignment)
    assert result.optimal and result.cost == 7 == result.bound

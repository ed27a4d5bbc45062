"""Column generation and diving for the GAP, and the kernel solve_gap searches."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from bench.gap.column_generation import knapsack, price_and_dive
from bench.gap.solve import (
    dive,
    greedy_gap,
    improve_by_tabu,
    is_feasible,
    kernel,
    lp_relaxation,
    suits_dive,
)
from solver.assignment import GapProblem
from tests.bench.test_gap_solve import GAP1, GAP1_MIN_OPTIMA, _problems


def test_knapsack_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    for _ in range(40):
        n = int(rng.integers(1, 9))
        values = rng.normal(3.0, 4.0, n)
        weights = rng.integers(1, 12, n)
        capacity = int(rng.integers(0, 30))
        best = 0.0
        for picks in itertools.product((0, 1), repeat=n):
            chosen = np.array(picks, dtype=bool)
            if weights[chosen].sum() <= capacity:
                best = max(best, float(values[chosen].sum()))
        value, items = knapsack(values, weights, capacity)
        assert value == pytest.approx(best)
        assert int(weights[items].sum()) <= capacity
        assert float(values[items].sum()) == pytest.approx(value)


@pytest.mark.skipif(not GAP1.exists(), reason="benchmark data not present")
def test_dive_gives_a_feasible_assignment_and_a_bound_between_lp_and_optimum() -> None:
    for problem, optimum in zip(_problems(), GAP1_MIN_OPTIMA, strict=True):
        start = improve_by_tabu(problem, None, seconds=0.2)  # greedy finds none on gap1
        assert start is not None
        found, bound = dive(problem, start, seconds=5.0)
        assert found is not None and is_feasible(problem, found)
        assert sum(problem.cost[(a, j)] for j, a in found.items()) >= optimum
        lp_value, _, _ = lp_relaxation(problem)
        assert bound is not None
        # the set-partitioning LP is at least as tight as the plain one, never above
        # the optimum
        assert lp_value - 1e-6 <= bound <= optimum + 1e-6


def test_dive_never_uses_a_pair_that_is_not_allowed() -> None:
    rng = np.random.default_rng(3)
    agents = tuple(f"W{i}" for i in range(4))
    jobs = tuple(f"J{j}" for j in range(12))
    load, cost = {}, {}
    for i, agent in enumerate(agents):
        for j, job in enumerate(jobs):
            if (i + j) % 3 != 0:  # a third of the pairs barred
                load[(agent, job)] = int(rng.integers(1, 10))
                cost[(agent, job)] = int(rng.integers(1, 50))
    problem = GapProblem(agents, jobs, load, cost, dict.fromkeys(agents, 25))
    start = greedy_gap(problem)
    assert start is not None
    found, _ = dive(problem, start, seconds=5.0)
    assert found is not None and is_feasible(problem, found)


def test_kernel_keeps_the_incumbent_the_lp_support_and_the_cheapest_reduced_costs() -> None:
    problem = _problems()[0] if GAP1.exists() else None
    if problem is None:
        pytest.skip("benchmark data not present")
    _, values, reduced = lp_relaxation(problem)
    start = improve_by_tabu(problem, None, seconds=0.2)
    assert start is not None
    small = kernel(problem, values=values, reduced=reduced, size=20, keep=start)
    assert is_feasible(small, start)
    assert all(pair in small.load for pair, v in values.items() if v > 1e-9)
    cheapest = sorted(problem.load, key=lambda pair: (reduced[pair], pair))[:20]
    assert all(pair in small.load for pair in cheapest)
    assert len(small.load) < len(problem.load)


def test_solve_gap_dives_only_with_few_jobs_per_agent_and_a_small_table() -> None:
    def problem(agents: int, jobs: int, capacity: int) -> GapProblem:
        a = tuple(f"W{i}" for i in range(agents))
        j = tuple(f"J{k}" for k in range(jobs))
        pairs = [(x, y) for x in a for y in j]
        return GapProblem(
            a, j, dict.fromkeys(pairs, 1), dict.fromkeys(pairs, 1), dict.fromkeys(a, capacity)
        )

    assert suits_dive(problem(20, 100, 200))  # d20100's shape
    assert not suits_dive(problem(10, 100, 200))  # ten jobs an agent
    assert not suits_dive(problem(20, 100, 10**4))  # 20 knapsacks of 100 x 10,001


def test_knapsack_with_no_room_takes_nothing() -> None:
    values = np.array([5.0, 1.0])
    weights = np.array([1, 0])
    assert knapsack(values, weights, -1) == (0.0, [])
    value, items = knapsack(values, weights, 0)
    assert value == pytest.approx(1.0) and items == [1]  # only the weightless item


def test_the_dive_stops_by_its_deadline_inside_a_pricing_round() -> None:
    rng = np.random.default_rng(5)
    m, n = 100, 800
    cost = rng.integers(1, 100, (m, n))
    weight = rng.integers(1, 100, (m, n))
    capacity = np.full(m, 50_000)  # a round: 100 knapsacks of 800 x 50,001, seconds
    start = np.arange(n) % m
    began = time.monotonic()
    price_and_dive(cost, weight, capacity, np.ones((m, n), bool), start, seconds=0.3)
    assert time.monotonic() - began < 0.3 + 0.3  # at most one knapsack past it

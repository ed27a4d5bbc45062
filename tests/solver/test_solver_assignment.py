"""The GAP allocation core: per-pair load and cost, capacities; OR-Library gap1 optima."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.assignment import GapProblem, greedy_gap, lp_relaxation, solve_gap

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


def test_pairs_left_out_are_not_allowed_and_capacity_binds() -> None:
    problem = GapProblem(
        agents=("W1", "W2"),
        jobs=("A", "B", "C"),
        load={("W1", "A"): 2, ("W1", "B"): 2, ("W2", "B"): 1, ("W2", "C"): 1, ("W1", "C"): 1},
        cost={("W1", "A"): 1, ("W1", "B"): 1, ("W2", "B"): 5, ("W2", "C"): 5, ("W1", "C"): 1},
        capacity={"W1": 3, "W2": 2},
    )
    result = solve_gap(problem, time_limit=5.0, num_workers=1)
    assert result.optimal
    assert result.assignment == {"A": "W1", "B": "W2", "C": "W1"}  # W1 cannot take all three
    assert result.cost == 7
    lp_value, _, _ = lp_relaxation(problem)
    assert lp_value <= result.cost
    assert greedy_gap(problem) is not None

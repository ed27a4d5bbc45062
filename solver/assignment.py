"""The generalised assignment core: jobs to agents under per-pair load and cost.

``add_assignment`` puts the 0/1 assignment block into any CP-SAT model (the
allocation stage uses it for children x key workers, with soft capacity rows);
``solve_gap`` solves a stand-alone GAP instance (benchmarked on OR-Library).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class GapProblem:
    """Agents with capacities; per allowed (agent, job) pair a load and a cost.

    A pair missing from ``load`` is not allowed. Minimisation.
    """

    agents: tuple[str, ...]
    jobs: tuple[str, ...]
    load: Mapping[Pair, int]
    cost: Mapping[Pair, int]
    capacity: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class GapSolution:
    assignment: dict[str, str]
    cost: int
    bound: int
    optimal: bool
    seconds: float
    status: str


@dataclass
class AssignmentBlock:
    """The variables ``add_assignment`` created: ``x[(agent, job)]`` and unassigned flags."""

    x: dict[Pair, cp_model.IntVar] = field(default_factory=dict)
    unassigned: dict[str, cp_model.IntVar] = field(default_factory=dict)
    overflow: dict[str, cp_model.IntVar] = field(default_factory=dict)


def add_assignment(
    model: cp_model.CpModel,
    problem: GapProblem,
    *,
    allow_unassigned: bool = False,
    soft_capacity: bool = False,
    prefix: str = "x",
) -> AssignmentBlock:
    """Add one assignment block to ``model``: each job to one agent, loads within capacity.

    With ``allow_unassigned`` a job may stay out (its flag in ``unassigned``); with
    ``soft_capacity`` an agent may exceed its capacity by ``overflow[agent]``.
    The caller prices both in its objective.
    """
    block = AssignmentBlock()
    by_job: dict[str, list[cp_model.IntVar]] = {job: [] for job in problem.jobs}
    by_agent: dict[str, list[tuple[cp_model.IntVar, int]]] = {a: [] for a in problem.agents}
    for (agent, job), load in problem.load.items():
        var = model.new_bool_var(f"{prefix}[{agent},{job}]")
        block.x[(agent, job)] = var
        by_job[job].append(var)
        by_agent[agent].append((var, load))
    for job, options in by_job.items():
        if allow_unassigned:
            flag = model.new_bool_var(f"{prefix}_unassigned[{job}]")
            block.unassigned[job] = flag
            model.add_exactly_one([*options, flag])
        else:
            model.add_exactly_one(options)
    for agent, terms in by_agent.items():
        if not terms:
            continue
        expr = cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [w for _, w in terms])
        cap = problem.capacity[agent]
        if soft_capacity:
            total = sum(w for _, w in terms)
            over = model.new_int_var(0, max(0, total - cap), f"{prefix}_overflow[{agent}]")
            block.overflow[agent] = over
            model.add(expr <= cap + over)
        elif sum(w for _, w in terms) > cap:
            model.add(expr <= cap)
    return block


def greedy_gap(problem: GapProblem) -> dict[str, str] | None:
    """Regret greedy: jobs with the largest cost regret first, to their cheapest fitting agent."""
    remaining = dict(problem.capacity)
    options: dict[str, list[tuple[int, str]]] = {job: [] for job in problem.jobs}
    for (agent, job), cost in problem.cost.items():
        if (agent, job) in problem.load:
            options[job].append((cost, agent))
    for choices in options.values():
        choices.sort(key=lambda item: (item[0], str(item[1])))
    order = sorted(
        problem.jobs,
        key=lambda j: -(options[j][1][0] - options[j][0][0]) if len(options[j]) > 1 else -(10**9),
    )
    out: dict[str, str] = {}
    for job in order:
        for _, agent in options[job]:
            load = problem.load[(agent, job)]
            if load <= remaining[agent]:
                remaining[agent] -= load
                out[job] = agent
                break
        else:
            return None
    return out


def solve_gap(
    problem: GapProblem,
    *,
    time_limit: float = 10.0,
    num_workers: int = 2,
    seed: int = 0,
    hint: Mapping[str, str] | None = None,
    log: bool = False,
) -> GapSolution:
    """Solve a stand-alone GAP to optimality or until ``time_limit`` seconds."""
    started = time.monotonic()
    model = cp_model.CpModel()
    block = add_assignment(model, problem)
    pairs = list(block.x)
    costs = [problem.cost[p] for p in pairs]
    model.minimize(cp_model.LinearExpr.weighted_sum([block.x[p] for p in pairs], costs))
    start = hint if hint is not None else greedy_gap(problem)
    if start is not None:
        for (agent, job), var in block.x.items():
            model.add_hint(var, start.get(job) == agent)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = num_workers
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = log
    status = solver.solve(model)
    seconds = time.monotonic() - started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return GapSolution({}, 0, 0, False, seconds, solver.status_name(status))
    assignment = {job: agent for (agent, job), var in block.x.items() if solver.boolean_value(var)}
    cost = sum(problem.cost[(agent, job)] for job, agent in assignment.items())
    bound = math.ceil(solver.best_objective_bound - 1e-6)
    return GapSolution(
        assignment, cost, bound, status == cp_model.OPTIMAL, seconds, solver.status_name(status)
    )

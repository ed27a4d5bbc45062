"""The stand-alone GAP solver: LP bound, tabu walk, column-generation dive, CP-SAT.

``solve_gap`` solves a generalised assignment problem (agents with capacities,
per-pair load and cost; minimisation) on its own, benchmarked on the OR-Library
and Yagiura instances by ``bench/bench_gap.py``. It builds its CP-SAT models with
the product's ``solver.assignment.add_assignment``; the tabu walk is
``bench.gap.tabu_search`` and the dive ``bench.gap.column_generation``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from bench.gap.column_generation import price_and_dive
from bench.gap.tabu_search import tabu_search
from solver.assignment import GapProblem, Pair, add_assignment

IntArray = npt.NDArray[np.int64]

# solve_gap searches kernels only while the incumbent is this far above the bound
FAR_FROM_BOUND = 1.005
# kernel sizes, in pairs per job, for solve_gap's kernel rounds
KERNEL_SIZES = (1.2, 1.5, 2.0, 3.0, 4.0)
# the share of solve_gap's time the kernel rounds may use up to
KERNEL_UNTIL = 0.97
# solve_gap dives (column generation) where agents hold at most this many jobs each
DIVE_JOBS_PER_AGENT = 5
# ... and where a pricing round (agents x jobs x capacity cells) stays this small:
# d20200's shape is 1.7 million, a round of 20 million takes about 0.7 s here
DIVE_ROUND_LIMIT = 10_000_000


@dataclass(frozen=True, slots=True)
class GapSolution:
    assignment: dict[str, str]
    cost: int
    bound: int
    optimal: bool
    seconds: float
    status: str


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


def lp_relaxation(problem: GapProblem) -> tuple[float, dict[Pair, float], dict[Pair, float]]:
    """The LP relaxation (GLOP): its value, each pair's value and reduced cost."""
    lp = pywraplp.Solver.CreateSolver("GLOP")
    x = {pair: lp.NumVar(0.0, 1.0, "") for pair in problem.load}
    by_job: dict[str, list[Pair]] = {job: [] for job in problem.jobs}
    by_agent: dict[str, list[Pair]] = {agent: [] for agent in problem.agents}
    for pair in problem.load:
        by_job[pair[1]].append(pair)
        by_agent[pair[0]].append(pair)
    for pairs in by_job.values():
        lp.Add(sum(x[p] for p in pairs) == 1)
    for agent, pairs in by_agent.items():
        if pairs:
            lp.Add(sum(problem.load[p] * x[p] for p in pairs) <= problem.capacity[agent])
    lp.Minimize(sum(problem.cost[p] * x[p] for p in problem.load))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return float("-inf"), {}, {}
    values = {p: v.solution_value() for p, v in x.items()}
    reduced = {p: v.reduced_cost() for p, v in x.items()}
    return lp.Objective().Value(), values, reduced


def reduced_cost_fixing(
    problem: GapProblem,
    *,
    lp_value: float,
    values: Mapping[Pair, float],
    reduced: Mapping[Pair, float],
    upper: int,
    keep: Mapping[str, str],
) -> GapProblem:
    """Drop the pairs no assignment cheaper than ``upper`` can use (LP reduced costs).

    A pair at 0 in the LP with reduced cost d costs at least ``lp_value + d`` when
    used; a pair at 1 with reduced cost -d costs at least ``lp_value + d`` when not
    used (then its job's other pairs go). Pairs of ``keep`` (the incumbent) stay, so
    the reduced problem still holds it.
    """
    limit = upper - 1 + 1e-6  # integer costs: a better assignment costs at most upper - 1
    forced = {
        job: agent
        for (agent, job), value in values.items()
        if value > 1 - 1e-9 and lp_value - reduced[(agent, job)] > limit
    }
    load: dict[Pair, int] = {}
    for (agent, job), w in problem.load.items():
        pair = (agent, job)
        if keep.get(job) == agent:
            load[pair] = w
            continue
        if job in forced and forced[job] != agent:
            continue
        if values.get(pair, 0.0) < 1e-9 and lp_value + reduced.get(pair, 0.0) > limit:
            continue
        load[pair] = w
    return GapProblem(problem.agents, problem.jobs, load, problem.cost, problem.capacity)


def kernel(
    problem: GapProblem,
    *,
    values: Mapping[Pair, float],
    reduced: Mapping[Pair, float],
    size: int,
    keep: Mapping[str, str],
) -> GapProblem:
    """The ``size`` pairs of smallest LP reduced cost, the LP's support and ``keep``.

    A heuristic restriction (kernel search, after Angelelli, Mansini and Speranza):
    an assignment costs the LP value plus the reduced costs of its pairs plus the
    priced slack, so good ones use mostly pairs of small reduced cost. CP-SAT
    searches such a kernel far better than the whole problem on the tight
    instances, where its search stalls.
    """
    ranked = sorted(problem.load, key=lambda pair: (reduced.get(pair, 0.0), pair))
    chosen = set(ranked[:size])
    load = {
        pair: w
        for pair, w in problem.load.items()
        if pair in chosen or values.get(pair, 0.0) > 1e-9 or keep.get(pair[1]) == pair[0]
    }
    return GapProblem(problem.agents, problem.jobs, load, problem.cost, problem.capacity)


def _cp_sat(
    problem: GapProblem,
    *,
    seconds: float,
    num_workers: int,
    seed: int,
    start: Mapping[str, str] | None,
    log: bool,
    upper: int | None = None,
) -> tuple[cp_model.CpSolverStatus, dict[str, str], float]:
    """Returns (status, assignment, bound) of one CP-SAT run on ``problem``."""
    model = cp_model.CpModel()
    block = add_assignment(model, problem)
    pairs = list(block.x)
    costs = [problem.cost[p] for p in pairs]
    objective = cp_model.LinearExpr.weighted_sum([block.x[p] for p in pairs], costs)
    model.minimize(objective)
    if upper is not None:
        model.add(objective <= upper)
    if start is not None:
        for (agent, job), var in block.x.items():
            model.add_hint(var, start.get(job) == agent)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = num_workers
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = log
    solver.parameters.linearization_level = 2  # the full LP: GAP bounds come from it
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, {}, float("-inf")
    chosen = {job: agent for (agent, job), var in block.x.items() if solver.boolean_value(var)}
    return status, chosen, solver.best_objective_bound


def is_feasible(problem: GapProblem, assignment: Mapping[str, str]) -> bool:
    """Every job on one allowed agent, every agent within its capacity."""
    used = dict.fromkeys(problem.agents, 0)
    for job in problem.jobs:
        agent = assignment.get(job)
        if agent is None or (agent, job) not in problem.load:
            return False
        used[agent] += problem.load[(agent, job)]
    return all(used[agent] <= problem.capacity[agent] for agent in problem.agents)


def _ceil_bound(value: float) -> int:
    """An integer lower bound from a float one (none known: minus a large number)."""
    return math.ceil(value - 1e-6) if math.isfinite(value) else -(2**62)


def _dense(problem: GapProblem) -> tuple[IntArray, IntArray, IntArray, npt.NDArray[np.bool_]]:
    """(cost, weight, capacity, allowed) as arrays, agents by jobs in the problem's order."""
    agent_index = {agent: i for i, agent in enumerate(problem.agents)}
    job_index = {job: j for j, job in enumerate(problem.jobs)}
    shape = (len(problem.agents), len(problem.jobs))
    cost = np.zeros(shape, dtype=np.int64)
    weight = np.zeros(shape, dtype=np.int64)
    allowed = np.zeros(shape, dtype=np.bool_)
    for (agent, job), load in problem.load.items():
        i, j = agent_index[agent], job_index[job]
        weight[i, j] = load
        cost[i, j] = problem.cost[(agent, job)]
        allowed[i, j] = True
    capacity = np.array([problem.capacity[a] for a in problem.agents], dtype=np.int64)
    return cost, weight, capacity, allowed


def _as_indices(problem: GapProblem, assignment: Mapping[str, str]) -> IntArray:
    agent_index = {agent: i for i, agent in enumerate(problem.agents)}
    return np.array([agent_index[assignment[job]] for job in problem.jobs], dtype=np.int64)


def _as_assignment(problem: GapProblem, indices: IntArray) -> dict[str, str]:
    return {job: problem.agents[int(indices[j])] for j, job in enumerate(problem.jobs)}


def improve_by_tabu(
    problem: GapProblem,
    start: Mapping[str, str] | None,
    *,
    seconds: float,
    seed: int = 0,
    stop: Callable[[], bool] | None = None,
    patience: int | None = None,
) -> dict[str, str] | None:
    """Run ``tabu_search`` on dense arrays; its best feasible assignment or None.

    Without ``start`` (greedy found none) it starts from each job's cheapest agent
    and lets the capacity penalty push it to feasibility.
    """
    cost, weight, capacity, allowed = _dense(problem)
    if start is not None and all((start.get(job), job) in problem.load for job in problem.jobs):
        first = _as_indices(problem, start)
    else:
        first = np.argmin(np.where(allowed, cost, np.iinfo(np.int64).max), axis=0)
    found = tabu_search(
        cost,
        weight,
        capacity,
        allowed,
        first,
        seconds=seconds,
        seed=seed,
        stop=stop,
        patience=patience,
    )
    if found is None:
        return None
    return _as_assignment(problem, found[0])


def suits_dive(problem: GapProblem) -> bool:
    """Whether ``solve_gap`` dives: few jobs per agent, and a small pricing table.

    A pricing round is one knapsack per agent, each a jobs x capacity table: not
    for capacities in the thousands with many agents (minutes of a year, say),
    where one round would take seconds; there the walk runs instead.
    """
    few_jobs = len(problem.jobs) <= DIVE_JOBS_PER_AGENT * len(problem.agents)
    cells = len(problem.jobs) * max(problem.capacity.values(), default=0)
    return few_jobs and cells * len(problem.agents) <= DIVE_ROUND_LIMIT


def dive(
    problem: GapProblem, start: Mapping[str, str], *, seconds: float
) -> tuple[dict[str, str] | None, float | None]:
    """``price_and_dive`` on ``problem`` from the feasible ``start``: (assignment, bound)."""
    cost, weight, capacity, allowed = _dense(problem)
    found, bound = price_and_dive(
        cost, weight, capacity, allowed, _as_indices(problem, start), seconds=seconds
    )
    if found is None:
        return None, bound
    out = _as_assignment(problem, found)
    return (out if is_feasible(problem, out) else None), bound


def solve_gap(
    problem: GapProblem,
    *,
    time_limit: float = 10.0,
    num_workers: int = 2,
    seed: int = 0,
    hint: Mapping[str, str] | None = None,
    log: bool = False,
) -> GapSolution:
    """Solve a stand-alone GAP to optimality or until ``time_limit`` seconds.

    1. LP relaxation (GLOP) for a bound and reduced costs; 2. a penalty tabu
    search (``tabu_search``) from a regret-greedy start for up to a tenth of the
    time, at most 1 s (less once it stops finding better assignments); 3. CP-SAT
    on the full problem from the better of the two for a fifth of the time.
    While the incumbent is still over 0.5 % above the bound: 4. where agents hold
    at most five jobs each, a column-generation dive (``column_generation``,
    which also gives the tighter set-partitioning bound) for up to 3 s, else the
    walk again for up to 2 s; 5. CP-SAT on kernels of growing size around the LP's cheapest
    pairs (``kernel``) up to 97 % of the time. 6. Reduced-cost fixing against the
    incumbent, and CP-SAT on what is left, hinted with it, for the rest of the
    time. Proven optimal when the reduced problem is solved to optimality (no
    dropped pair can be in a cheaper assignment).
    """
    started = time.monotonic()
    lp_value, values, reduced = lp_relaxation(problem)
    start = hint if hint is not None else greedy_gap(problem)

    def cost_of(assignment: Mapping[str, str]) -> int:
        return sum(problem.cost[(agent, job)] for job, agent in assignment.items())

    # a short tabu walk first: a better hint for CP-SAT, and a probe of which of the
    # two searches suits this instance
    walked = improve_by_tabu(
        problem,
        start,
        seconds=min(1.0, time_limit * 0.1),
        seed=seed,
        patience=20 * len(problem.jobs),
    )
    if walked is not None and (start is None or cost_of(walked) < cost_of(start)):
        start = walked
    status, best, bound = _cp_sat(
        problem, seconds=time_limit / 5, num_workers=num_workers, seed=seed, start=start, log=log
    )
    if (
        start is not None
        and is_feasible(problem, start)
        and (not best or cost_of(start) < cost_of(best))
    ):
        # CP-SAT may stop before it reaches its hint's quality; keep the better one
        # (a caller's hint only when it is a whole, feasible assignment)
        best = dict(start)
        if status == cp_model.UNKNOWN:
            status = cp_model.FEASIBLE
    if not best:
        seconds = time.monotonic() - started
        return GapSolution({}, 0, 0, False, seconds, "UNKNOWN")

    upper = cost_of(best)
    lower = max(_ceil_bound(lp_value), _ceil_bound(bound))
    optimal = status == cp_model.OPTIMAL or lower >= upper
    if not optimal and upper > lower * FAR_FROM_BOUND:
        # CP-SAT stalls well above the bound on the tight many-agent instances: a
        # column-generation dive (few jobs per agent) or more of the walk, then
        # CP-SAT on kernels of growing size around the LP's cheapest pairs, where
        # its search does far better
        again: Mapping[str, str] | None
        if suits_dive(problem):
            again, root = dive(problem, best, seconds=min(3.0, time_limit * 0.3))
            if root is not None:
                lower = max(lower, _ceil_bound(root))
        else:
            again = improve_by_tabu(
                problem,
                best,
                seconds=min(2.0, time_limit * 0.2),
                seed=seed + 1,
                patience=20 * len(problem.jobs),
            )
        if again is not None and cost_of(again) < upper:
            best, upper = dict(again), cost_of(again)
        kernel_until = time_limit * KERNEL_UNTIL
        for k, factor in enumerate(KERNEL_SIZES):
            left = kernel_until - (time.monotonic() - started)
            if left < 0.2 or lower >= upper:
                break
            small = kernel(
                problem,
                values=values,
                reduced=reduced,
                size=int(factor * len(problem.jobs)),
                keep=best,
            )
            _, found, _ = _cp_sat(
                small,
                seconds=left / (len(KERNEL_SIZES) - k),
                num_workers=num_workers,
                seed=seed,
                start=best,
                log=log,
                upper=upper,
            )
            if found and cost_of(found) < upper:
                best, upper = found, cost_of(found)
        optimal = lower >= upper
    rounds = 0
    while not optimal and time.monotonic() - started < time_limit - 0.2 and rounds < 3:
        rounds += 1
        small = reduced_cost_fixing(
            problem, lp_value=lp_value, values=values, reduced=reduced, upper=upper, keep=best
        )
        left = time_limit - (time.monotonic() - started)
        status, found, small_bound = _cp_sat(
            small,
            seconds=left,
            num_workers=num_workers,
            seed=seed + rounds,
            start=best,
            log=log,
            upper=upper,
        )
        if found and cost_of(found) <= upper:
            best, upper = found, cost_of(found)
        if status == cp_model.OPTIMAL:
            optimal = True
            lower = upper
        elif found:
            # any assignment outside the reduced problem costs at least upper
            lower = max(lower, min(upper, _ceil_bound(small_bound)))
            optimal = lower >= upper
    seconds = time.monotonic() - started
    return GapSolution(
        dict(best), upper, min(lower, upper), optimal, seconds, "OPTIMAL" if optimal else "FEASIBLE"
    )

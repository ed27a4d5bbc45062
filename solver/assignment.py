"""The generalised assignment block: jobs to agents under per-pair load and capacity.

``add_assignment`` puts the 0/1 assignment block into any CP-SAT model (the
allocation stage uses it for children x key workers, with soft capacity rows).
The stand-alone GAP solver built on it, benchmarked on OR-Library, is research
code and lives in ``bench/gap``.
"""

from __future__ import annotations

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

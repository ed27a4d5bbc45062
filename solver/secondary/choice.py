"""``choose_secondaries``: each child's best sequences as the booleans of one CP-SAT
model per team, bounded per child to its optimum on levels 1-3, which then spreads
the duty (level 4; one worker, fixed seed, a deterministic time limit so that a
busy machine gives the same answer, and a wall-clock guard). The greedy start is
the hint and, if the search finds nothing, the answer."""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.budget import Budget, stopped_by_clock
from solver.lexico import Level
from solver.params import SECONDARY_SPREAD_WORK
from solver.secondary.costs import CHANGE_COST, ChildBlock, Cost
from solver.secondary.facts import SecondaryFacts, TeamBlocks
from solver.secondary.sequences import BestSequences, best_sequences
from solver.secondary.spread import Choice, add_balance
from solver.secondary.start import greedy_start

Terms = list[tuple[cp_model.IntVar, int]]  # (boolean, its cost) on one level


def choose_secondaries(
    team: TeamBlocks,
    *,
    budget: Budget,
    seed: int = 0,
    log: bool = False,
) -> tuple[dict[ChildBlock, str], bool]:
    """A secondary worker per child-block where the team has an eligible one, and
    whether the safety clock (not the work limit) stopped the spread's search."""
    facts = SecondaryFacts(team)
    best = {c: found for c in team.child_blocks if (found := best_sequences(facts, c)) is not None}
    start = greedy_start(facts, best)
    if all(len(a) == 1 for plan in best.values() for a in plan.allowed):
        return start, False  # nothing left to spread
    model = cp_model.CpModel()
    x: Choice = {}
    for child, plan in best.items():
        _add_child(model, facts, child, plan, x)
    balance = Level(4, "secondary workers: spread of the duty")
    add_balance(model, facts, x, balance)
    model.minimize(cp_model.LinearExpr.weighted_sum(balance.variables, balance.weights))
    for cb, here in x.items():
        for w, var in here.items():
            model.add_hint(var, int(start[cb] == w))
    spread, by_clock = _search(model, x, seed=seed, log=log, budget=budget)
    return spread or start, by_clock


def _add_child(
    model: cp_model.CpModel,
    facts: SecondaryFacts,
    child: str,
    plan: BestSequences,
    x: Choice,
) -> None:
    """One boolean per block and worker on a best sequence of ``child``, into ``x``,
    with levels 1-3 held at the child's own optimum: together, the lexicographic
    optimum."""
    levels: list[Terms] = [[], [], []]
    before: dict[str, cp_model.IntVar] | None = None
    for i, b in enumerate(plan.blocks):
        here = {w: model.new_bool_var(f"sec[{child},{b},{w}]") for w in plan.allowed[i]}
        x[(child, b)] = here
        model.add_exactly_one(here.values())
        for w, var in here.items():
            for level, part_cost in zip(levels, facts.cost(child, b, w), strict=True):
                level.append((var, part_cost))
        if before is not None:
            change = _change(model, facts, child, b, before=before, here=here)
            levels[0].append((change, CHANGE_COST))
        before = here
    _bound(model, levels, plan.value)


def _change(
    model: cp_model.CpModel,
    facts: SecondaryFacts,
    child: str,
    b: int,
    *,
    before: dict[str, cp_model.IntVar],
    here: dict[str, cp_model.IntVar],
) -> cp_model.IntVar:
    """True where block ``b`` leaves the previous block's secondary while still eligible."""
    change = model.new_bool_var(f"sec_change[{child},{b}]")
    for w, var in before.items():
        if w not in facts.options[(child, b)]:
            continue  # no longer eligible: a forced change costs nothing
        if w in here:
            model.add(change >= var - here[w])
        else:
            model.add(change >= var)
    return change


def _bound(model: cp_model.CpModel, levels: list[Terms], value: Cost) -> None:
    """Each of levels 1-3 at most the child's optimum on it."""
    for level, bound in zip(levels, value, strict=True):
        terms = [(v, c) for v, c in level if c]
        if terms:
            model.add(
                cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms])
                <= bound
            )


def _search(
    model: cp_model.CpModel,
    x: Choice,
    *,
    seed: int,
    log: bool,
    budget: Budget,
) -> tuple[dict[ChildBlock, str] | None, bool]:
    """Solve the spread; None where no solution came back."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = log
    budget.limit(solver, min(SECONDARY_SPREAD_WORK, budget.work))
    status = solver.solve(model)
    by_clock = stopped_by_clock(solver, status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, by_clock
    out: dict[ChildBlock, str] = {}
    for cb, here in x.items():
        picked = [w for w, var in here.items() if solver.boolean_value(var)]
        if len(picked) != 1:
            return None, by_clock
        out[cb] = picked[0]
    return out, by_clock

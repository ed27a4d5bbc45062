"""Secondary workers: who covers first when a child's key worker is away (goal 2).

Named per child and allocation block once the key workers are fixed. Eligible: of
the team, ``may_hold_case``, employed on the block's first and last day, not the
key worker. Priorities, strictly in this order (no level trades against a higher
one):

1. the relationship: the current plan's secondary is kept wherever still eligible
   (pinned, so an unchanged re-plan names the same secondaries, goal 3); elsewhere
   leaving the previous block's secondary while still eligible costs 4, not naming
   the child's current secondary (``current_secondary_worker``) where eligible 2,
   and someone the child does not know (``known_workers``, their current key or
   secondary worker) 1 per block (the manager's rule of thumb);
2. cover: days the child could be seen (plan in force, the child has a window that
   weekday, not past) on which the key worker cannot see them (absent, not
   employed, no window shared with the child that day) and the secondary cannot
   either;
3. fit: no weekly slot shared with a child who has windows, or no spare weekly
   capacity (hours less the key caseload's minutes) for the child's sessions;
4. balance, per block and weighted by its weeks: twice every child beyond the
   first that one key worker passes to the same secondary, plus the most children
   any worker is secondary for, plus each worker's count above the fair share.

Levels 1-3 are separable per child (a child's choice costs nothing to another), so
their lexicographic optimum is exact and cheap: a dynamic programme over the
child's blocks gives each child's best (relationship, cover, fit) and the workers
that lie on some best sequence. Only those become booleans of one CP-SAT model per
team, bounded per child to that best, which then spreads the duty (level 4; one
worker, fixed seed, a deterministic time limit so that a busy machine gives the
same answer, and a wall-clock guard). The greedy start (children by risk, each
taking a best sequence with the least used workers) is the hint and, if the
solve finds nothing, the answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from solver.budget import Budget, stopped_by_clock
from solver.context import Context, TeamPart
from solver.eligibility import employed, may_hold_case
from solver.lexico import Level
from solver.params import SECONDARY_SPREAD_WORK
from solver.timegrid import intersect
from solver.weights import risk_weight

if TYPE_CHECKING:
    from solver.allocation.blocks import Block


# level 1 weights (see the module docstring)
CHANGE_COST = 4
NOT_CURRENT_COST = 2
UNKNOWN_COST = 1

ChildBlock = tuple[str, int]
Cost = tuple[int, int, int]  # relationship, cover, fit: compared lexicographically
ZERO: Cost = (0, 0, 0)


def _plus(*costs: Cost) -> Cost:
    return (sum(c[0] for c in costs), sum(c[1] for c in costs), sum(c[2] for c in costs))


def eligible_secondaries(
    ctx: Context, part: TeamPart, child: str, key: str | None, block: Block
) -> list[str]:
    """Rule 3 for a secondary worker, and employed over the whole block."""
    kid = ctx.children[child]
    return [
        w
        for w in part.workers
        if w != key
        and may_hold_case(ctx.workers[w], kid)
        and employed(ctx.workers[w], block.first)
        and employed(ctx.workers[w], block.last)
    ]


@dataclass(frozen=True)
class TeamBlocks:
    """One team's allocation as ``choose_secondaries`` reads it.

    ``blocks`` are the horizon's allocation blocks, ``child_blocks`` each child's
    blocks, ``block_days`` a child-block's in-force days, ``keys`` the chosen key
    worker per child-block, ``current`` the current plan's (key, secondary) per
    child and day, ``weekly_of`` a child-block's weekly session minutes, and
    ``shared_slots(worker, child)`` how many weekly slots they share.
    """

    ctx: Context
    part: TeamPart
    blocks: Sequence[Block]
    child_blocks: dict[str, list[int]]
    block_days: dict[ChildBlock, list[dt.date]]
    keys: dict[ChildBlock, str | None]
    current: dict[tuple[str, dt.date], tuple[str | None, str | None]]
    weekly_of: dict[ChildBlock, int]
    shared_slots: Callable[[str, str], int]


class _Facts:
    """What the model and the greedy both read, computed once per team."""

    def __init__(self, team: TeamBlocks) -> None:
        ctx, part, blocks = team.ctx, team.part, team.blocks
        child_blocks, block_days, keys = team.child_blocks, team.block_days, team.keys
        current, weekly_of, shared_slots = team.current, team.weekly_of, team.shared_slots
        self.ctx = ctx
        self.child_blocks = child_blocks
        self.keys = keys
        self.options: dict[ChildBlock, list[str]] = {}
        self.current: dict[ChildBlock, str] = {}  # the current plan's, where eligible
        self.uncovered: dict[tuple[str, int, str], int] = {}
        self.misfit: dict[tuple[str, int, str], int] = {}
        self._known: dict[str, set[str]] = {}
        self.weeks: dict[int, int] = {
            b: max(1, round(len(bl.days()) / 7)) for b, bl in enumerate(blocks)
        }
        keyed: dict[tuple[str, int], int] = {}
        for (child, b), holder in keys.items():
            if holder is not None:
                keyed[(holder, b)] = keyed.get((holder, b), 0) + weekly_of.get((child, b), 0)
        slots: dict[tuple[str, str], int] = {}
        for child, blist in child_blocks.items():
            kid = ctx.children[child]
            plan = ctx.plan_on(child, ctx.in_force[child][0])
            minutes = plan.session_minutes if plan else 60
            for b in blist:
                days = block_days[(child, b)]
                key = keys[(child, b)]
                options = eligible_secondaries(ctx, part, child, key, blocks[b])
                if not options:
                    continue
                self.options[(child, b)] = options
                named = current.get((child, days[0]), (None, None))[1]
                if named in options:
                    self.current[(child, b)] = named
                # days on which the child could be seen but not by the key worker
                open_days = [
                    d
                    for d in days
                    if d >= ctx.today
                    and ctx.child_spans(child, d.weekday())
                    and not self._meets(key, child, d, minutes)
                ]
                for w in options:
                    self.uncovered[(child, b, w)] = sum(
                        1 for d in open_days if not self._meets(w, child, d, minutes)
                    )
                    if (w, child) not in slots:
                        slots[(w, child)] = shared_slots(w, child)
                    no_slot = bool(kid.availability) and slots[(w, child)] == 0
                    spare = int(ctx.workers[w].hours_per_week * 60) - keyed.get((w, b), 0)
                    no_room = spare < weekly_of.get((child, b), 0)
                    self.misfit[(child, b, w)] = int(no_slot) + int(no_room)

    def _meets(self, worker: str | None, child: str, day: dt.date, minutes: int) -> bool:
        """At work that day with a window shared with the child long enough for a session."""
        if worker is None or not self.ctx.at_work(worker, day):
            return False
        weekday = day.weekday()
        spans = intersect(
            self.ctx.child_spans(child, weekday), self.ctx.worker_spans(worker, weekday)
        )
        return any(hi - lo >= minutes for lo, hi in spans)

    def known(self, child: str) -> set[str]:
        found = self._known.get(child)
        if found is None:
            kid = self.ctx.children[child]
            extra = {kid.current_key_worker, kid.current_secondary_worker}
            found = set(kid.known_workers) | {w for w in extra if w is not None}
            self._known[child] = found
        return found

    def candidates(self, child: str, b: int) -> list[str]:
        """The eligible workers, or only the current plan's secondary where eligible."""
        pinned = self.current.get((child, b))
        return [pinned] if pinned is not None else self.options[(child, b)]

    def cost(self, child: str, b: int, w: str) -> Cost:
        """Levels 1-3 of naming ``w`` for the block, before any change between blocks."""
        current = self.ctx.children[child].current_secondary_worker
        relation = 0
        if current in self.options[(child, b)] and w != current:
            relation += NOT_CURRENT_COST
        if w not in self.known(child):
            relation += UNKNOWN_COST
        return (relation, self.uncovered[(child, b, w)], self.misfit[(child, b, w)])

    def change(self, child: str, b: int, before: str | None, w: str) -> Cost:
        """Leaving the previous block's secondary while they are still eligible."""
        if before is not None and w != before and before in self.options[(child, b)]:
            return (CHANGE_COST, 0, 0)
        return ZERO


@dataclass
class _Best:
    """A child's lexicographic optimum over levels 1-3 and the workers on some optimum."""

    blocks: list[int]  # the child's blocks with an eligible worker, in order
    allowed: list[list[str]]  # per block: workers on at least one best sequence
    rest: list[dict[str, Cost]]  # per block and worker: the best cost from there on
    value: Cost


def _best(facts: _Facts, child: str) -> _Best | None:
    """Dynamic programme over the child's blocks (the state is the block's worker)."""
    blocks = [b for b in facts.child_blocks[child] if (child, b) in facts.options]
    if not blocks:
        return None
    ahead: list[dict[str, Cost]] = []  # best cost of the blocks up to here, ending in w
    for i, b in enumerate(blocks):
        row: dict[str, Cost] = {}
        for w in facts.candidates(child, b):
            own = facts.cost(child, b, w)
            if i == 0:
                row[w] = own
            else:
                row[w] = min(
                    _plus(cost, facts.change(child, b, before, w), own)
                    for before, cost in ahead[-1].items()
                )
        ahead.append(row)
    rest: list[dict[str, Cost]] = [{} for _ in blocks]
    for i in range(len(blocks) - 1, -1, -1):
        b = blocks[i]
        for w in facts.candidates(child, b):
            own = facts.cost(child, b, w)
            if i == len(blocks) - 1:
                rest[i][w] = own
            else:
                nb = blocks[i + 1]
                rest[i][w] = min(
                    _plus(own, facts.change(child, nb, w, after), cost)
                    for after, cost in rest[i + 1].items()
                )
    value = min(ahead[-1].values())
    allowed = [
        sorted(
            w
            for w in ahead[i]
            if _plus(ahead[i][w], rest[i][w]) == _plus(value, facts.cost(child, b, w))
        )
        for i, b in enumerate(blocks)
    ]
    return _Best(blocks, allowed, rest, value)


def _greedy(facts: _Facts, best: dict[str, _Best]) -> dict[ChildBlock, str]:
    """A start that is already lexicographically best on levels 1-3: children by risk,
    each taking, block by block, the least used worker that keeps a best sequence
    (fewest children of the same key worker, then by name)."""
    ctx = facts.ctx
    out: dict[ChildBlock, str] = {}
    used: dict[tuple[str, int], int] = {}
    pairs: dict[tuple[str | None, str, int], int] = {}
    order = sorted(best, key=lambda c: (-risk_weight(ctx.children[c]), c))
    for child in order:
        plan = best[child]
        spent = ZERO
        before: str | None = None
        for i, b in enumerate(plan.blocks):
            key = facts.keys.get((child, b))
            fits = [
                w
                for w in plan.allowed[i]
                if _plus(spent, facts.change(child, b, before, w), plan.rest[i][w]) == plan.value
            ] or plan.allowed[i]
            pick = min(fits, key=lambda w: (used.get((w, b), 0), pairs.get((key, w, b), 0), w))
            spent = _plus(spent, facts.change(child, b, before, pick), facts.cost(child, b, pick))
            out[(child, b)] = pick
            used[(pick, b)] = used.get((pick, b), 0) + 1
            pairs[(key, pick, b)] = pairs.get((key, pick, b), 0) + 1
            before = pick
    return out


def choose_secondaries(  # noqa: PLR0912 - naming the secondary workers team by team; to split with #14
    team: TeamBlocks,
    *,
    budget: Budget,
    seed: int = 0,
    log: bool = False,
) -> tuple[dict[ChildBlock, str], bool]:
    """A secondary worker per child-block where the team has an eligible one, and
    whether the safety clock (not the work limit) stopped the spread's search."""
    facts = _Facts(team)
    best = {c: found for c in team.child_blocks if (found := _best(facts, c)) is not None}
    start = _greedy(facts, best)
    if all(len(a) == 1 for plan in best.values() for a in plan.allowed):
        return start, False  # nothing left to spread
    model = cp_model.CpModel()
    x: dict[ChildBlock, dict[str, cp_model.IntVar]] = {}
    for child, plan in best.items():
        levels: list[list[tuple[cp_model.IntVar, int]]] = [[], [], []]
        before: dict[str, cp_model.IntVar] | None = None
        for i, b in enumerate(plan.blocks):
            here = {w: model.new_bool_var(f"sec[{child},{b},{w}]") for w in plan.allowed[i]}
            x[(child, b)] = here
            model.add_exactly_one(here.values())
            for w, var in here.items():
                for level, part_cost in zip(levels, facts.cost(child, b, w), strict=True):
                    level.append((var, part_cost))
            if before is not None:
                change = model.new_bool_var(f"sec_change[{child},{b}]")
                for w, var in before.items():
                    if w not in facts.options[(child, b)]:
                        continue  # no longer eligible: a forced change costs nothing
                    if w in here:
                        model.add(change >= var - here[w])
                    else:
                        model.add(change >= var)
                levels[0].append((change, CHANGE_COST))
            before = here
        # levels 1-3 at the child's own optimum: together, the lexicographic optimum
        for level, bound in zip(levels, plan.value, strict=True):
            terms = [(v, c) for v, c in level if c]
            if terms:
                model.add(
                    cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms])
                    <= bound
                )
    balance = Level(4, "secondary workers: spread of the duty")
    _balance(model, facts, x, balance)
    model.minimize(cp_model.LinearExpr.weighted_sum(balance.variables, balance.weights))
    for cb, here in x.items():
        for w, var in here.items():
            model.add_hint(var, int(start[cb] == w))
    spread, by_clock = _spread(model, x, seed=seed, log=log, budget=budget)
    return spread or start, by_clock


def _spread(
    model: cp_model.CpModel,
    x: dict[ChildBlock, dict[str, cp_model.IntVar]],
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


def _balance(
    model: cp_model.CpModel,
    facts: _Facts,
    x: dict[ChildBlock, dict[str, cp_model.IntVar]],
    balance: Level,
) -> None:
    by_block: dict[int, list[ChildBlock]] = {}
    for cb in x:
        by_block.setdefault(cb[1], []).append(cb)
    for b, cbs in by_block.items():
        weeks = facts.weeks[b]
        workers = sorted({w for cb in cbs for w in x[cb]})
        fair = -(-len(cbs) // len(workers))
        most = model.new_int_var(0, len(cbs), f"sec_most[{b}]")
        balance.add(most, weeks)
        for w in workers:
            terms = [x[cb][w] for cb in cbs if w in x[cb]]
            model.add(sum(terms) <= most)
            if len(terms) > fair:
                over = model.new_int_var(0, len(terms), f"sec_over[{w},{b}]")
                model.add(sum(terms) - fair <= over)
                balance.add(over, weeks)
        pairs: dict[tuple[str, str], list[cp_model.IntVar]] = {}
        for cb in cbs:
            key = facts.keys.get(cb)
            if key is None:
                continue
            for w, var in x[cb].items():
                pairs.setdefault((key, w), []).append(var)
        for (key, w), terms in pairs.items():
            if len(terms) > 1:
                extra = model.new_int_var(0, len(terms), f"sec_pair[{key},{w},{b}]")
                model.add(sum(terms) - 1 <= extra)
                balance.add(extra, 2 * weeks)

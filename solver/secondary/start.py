"""The greedy start: the CP-SAT model's hint and, if its search finds nothing, the answer."""

from __future__ import annotations

from solver.secondary.costs import ZERO, ChildBlock, plus
from solver.secondary.facts import SecondaryFacts
from solver.secondary.sequences import BestSequences
from solver.weights import risk_weight


def greedy_start(facts: SecondaryFacts, best: dict[str, BestSequences]) -> dict[ChildBlock, str]:
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
                if plus(spent, facts.change(child, b, before, w), plan.rest[i][w]) == plan.value
            ] or plan.allowed[i]
            pick = min(fits, key=lambda w: (used.get((w, b), 0), pairs.get((key, w, b), 0), w))
            spent = plus(spent, facts.change(child, b, before, pick), facts.cost(child, b, pick))
            out[(child, b)] = pick
            used[(pick, b)] = used.get((pick, b), 0) + 1
            pairs[(key, pick, b)] = pairs.get((key, pick, b), 0) + 1
            before = pick
    return out

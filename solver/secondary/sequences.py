"""Continuity: a child's best sequence of secondaries over its blocks on levels 1-3.

Levels 1-3 are separable per child, so a dynamic programme over the child's blocks
(the state is the block's worker) finds the child's lexicographic optimum exactly,
and the workers that lie on at least one optimal sequence.
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.secondary.costs import Cost, plus
from solver.secondary.facts import SecondaryFacts


@dataclass
class BestSequences:
    """A child's lexicographic optimum over levels 1-3 and the workers on some optimum."""

    blocks: list[int]  # the child's blocks with an eligible worker, in order
    allowed: list[list[str]]  # per block: workers on at least one best sequence
    rest: list[dict[str, Cost]]  # per block and worker: the best cost from there on
    value: Cost


def best_sequences(facts: SecondaryFacts, child: str) -> BestSequences | None:
    """Dynamic programme over the child's blocks (the state is the block's worker);
    None where no block of the child has an eligible worker."""
    blocks = [b for b in facts.child_blocks[child] if (child, b) in facts.options]
    if not blocks:
        return None
    ahead = _forward(facts, child, blocks)
    rest = _backward(facts, child, blocks)
    value = min(ahead[-1].values())
    allowed = [
        sorted(
            w
            for w in ahead[i]
            if plus(ahead[i][w], rest[i][w]) == plus(value, facts.cost(child, b, w))
        )
        for i, b in enumerate(blocks)
    ]
    return BestSequences(blocks, allowed, rest, value)


def _forward(facts: SecondaryFacts, child: str, blocks: list[int]) -> list[dict[str, Cost]]:
    """Per block and worker: the best cost of the blocks up to here, ending in that worker."""
    ahead: list[dict[str, Cost]] = []
    for i, b in enumerate(blocks):
        row: dict[str, Cost] = {}
        if i == 0:
            for w in facts.candidates(child, b):
                row[w] = facts.cost(child, b, w)
            ahead.append(row)
            continue
        # Coming from another worker costs the change where they are still eligible,
        # whoever ``w`` is; staying costs nothing more. Adding a cost keeps the
        # (lexicographic) order, so the best over every previous worker is the better
        # of staying and the best way in from anyone (from ``w`` that is no better
        # than staying): linear in the workers, not quadratic.
        previous = ahead[-1]
        entry = min(plus(cost, facts.leave(child, b, before)) for before, cost in previous.items())
        for w in facts.candidates(child, b):
            stay = previous.get(w)
            best = entry if stay is None or entry < stay else stay
            row[w] = plus(best, facts.cost(child, b, w))
        ahead.append(row)
    return ahead


def _backward(facts: SecondaryFacts, child: str, blocks: list[int]) -> list[dict[str, Cost]]:
    """Per block and worker: the best cost from that block on, starting with that worker."""
    rest: list[dict[str, Cost]] = [{} for _ in blocks]
    for i in range(len(blocks) - 1, -1, -1):
        b = blocks[i]
        if i == len(blocks) - 1:
            for w in facts.candidates(child, b):
                rest[i][w] = facts.cost(child, b, w)
            continue
        # as in _forward: moving on to another worker costs the change where ``w`` is
        # still eligible in the next block, whoever that is; staying costs nothing more
        nb = blocks[i + 1]
        after = rest[i + 1]
        onward = min(after.values())
        for w in facts.candidates(child, b):
            move = plus(facts.leave(child, nb, w), onward)
            stay = after.get(w)
            best = move if stay is None or move < stay else stay
            rest[i][w] = plus(facts.cost(child, b, w), best)
    return rest

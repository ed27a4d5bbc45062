"""Level 4: the secondary duty spread across the team, per block and weighted by its
weeks (twice every child beyond the first that one key worker passes to the same
secondary, plus the most children any worker is secondary for, plus each worker's
count above the fair share)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.lexico import Level
from solver.secondary.costs import ChildBlock
from solver.secondary.facts import SecondaryFacts

Choice = dict[ChildBlock, dict[str, cp_model.IntVar]]  # per child-block: a boolean per worker


def add_balance(model: cp_model.CpModel, facts: SecondaryFacts, x: Choice, balance: Level) -> None:
    """Add the spread's terms of every block to ``balance``."""
    by_block: dict[int, list[ChildBlock]] = {}
    for cb in x:
        by_block.setdefault(cb[1], []).append(cb)
    for b, cbs in by_block.items():
        weeks = facts.weeks[b]
        _add_load(model, x, b, cbs=cbs, weeks=weeks, balance=balance)
        _add_pairs(model, facts, x, b, cbs=cbs, weeks=weeks, balance=balance)


def _add_load(
    model: cp_model.CpModel,
    x: Choice,
    b: int,
    *,
    cbs: list[ChildBlock],
    weeks: int,
    balance: Level,
) -> None:
    """The most children any worker is secondary for in block ``b``, and each worker's
    count above the fair share."""
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


def _add_pairs(
    model: cp_model.CpModel,
    facts: SecondaryFacts,
    x: Choice,
    b: int,
    *,
    cbs: list[ChildBlock],
    weeks: int,
    balance: Level,
) -> None:
    """Twice every child beyond the first that one key worker passes to the same
    secondary in block ``b``."""
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

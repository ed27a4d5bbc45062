"""What the choice of secondary workers reads: the team's allocation as it comes in
(``TeamBlocks``), who is eligible, and per child, block and worker the facts of
levels 1-3 (``SecondaryFacts``), computed once per team."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from solver.context import Context, TeamPart
from solver.eligibility import employed, may_hold_case
from solver.secondary.costs import (
    CHANGE_COST,
    NOT_CURRENT_COST,
    UNKNOWN_COST,
    ZERO,
    ChildBlock,
    Cost,
)

if TYPE_CHECKING:
    from solver.allocation.blocks import Block


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


def keyed_minutes(team: TeamBlocks) -> dict[tuple[str, int], int]:
    """The weekly session minutes of each worker's key caseload, per block."""
    keyed: dict[tuple[str, int], int] = {}
    for (child, b), holder in team.keys.items():
        if holder is not None:
            keyed[(holder, b)] = keyed.get((holder, b), 0) + team.weekly_of.get((child, b), 0)
    return keyed


class SecondaryFacts:
    """What the model and the greedy both read, computed once per team."""

    def __init__(self, team: TeamBlocks) -> None:
        self.ctx = team.ctx
        self.child_blocks = team.child_blocks
        self.keys = team.keys
        self.options: dict[ChildBlock, list[str]] = {}
        self.current: dict[ChildBlock, str] = {}  # the current plan's, where eligible
        self.uncovered: dict[tuple[str, int, str], int] = {}
        self.misfit: dict[tuple[str, int, str], int] = {}
        self._known: dict[str, set[str]] = {}
        self._cost: dict[tuple[str, int, str], Cost] = {}
        self.weeks: dict[int, int] = {
            b: max(1, round(len(bl.days()) / 7)) for b, bl in enumerate(team.blocks)
        }
        keyed = keyed_minutes(team)
        slots: dict[tuple[str, str], int] = {}
        # eligible_secondaries' two halves, read once per child and once per block
        # rather than for every child-block: rule 3 ...
        self._holders: dict[str, list[str]] = {}
        # ... and employment over the block
        self._employed: dict[int, set[str]] = {
            b: {
                w
                for w in team.part.workers
                if employed(self.ctx.workers[w], block.first)
                and employed(self.ctx.workers[w], block.last)
            }
            for b, block in enumerate(team.blocks)
        }
        for child, blist in team.child_blocks.items():
            plan = self.ctx.plan_on(child, self.ctx.in_force[child][0])
            minutes = plan.session_minutes if plan else 60
            for b in blist:
                self._read_block(team, child, b, minutes=minutes, keyed=keyed, slots=slots)

    def _read_block(
        self,
        team: TeamBlocks,
        child: str,
        b: int,
        *,
        minutes: int,
        keyed: dict[tuple[str, int], int],
        slots: dict[tuple[str, str], int],
    ) -> None:
        """The options, the current secondary, cover and fit of one child-block."""
        ctx = self.ctx
        days = team.block_days[(child, b)]
        key = team.keys[(child, b)]
        holders = self._holders.get(child)
        if holders is None:
            kid = ctx.children[child]
            holders = [w for w in team.part.workers if may_hold_case(ctx.workers[w], kid)]
            self._holders[child] = holders
        employed_here = self._employed[b]
        # eligible_secondaries(ctx, team.part, child, key, team.blocks[b]), in its order
        options = [w for w in holders if w != key and w in employed_here]
        if not options:
            return
        self.options[(child, b)] = options
        named = team.current.get((child, days[0]), (None, None))[1]
        if named in options:
            self.current[(child, b)] = named
        # days on which the child could be seen but not by the key worker
        open_weekdays = [
            (d, weekday)
            for d in days
            if d >= ctx.today
            and ctx.child_spans(child, weekday := d.weekday())
            and not self._meets(key, child, d, minutes)
        ]
        has_windows = bool(ctx.children[child].availability)
        for w in options:
            # not _meets: an option is employed all block, so on its days (inside the
            # horizon) at work is not among the absent days; and the windows are by weekday
            shared = ctx.shared_weekdays(w, child, minutes)
            away = ctx.absent_days(w)
            self.uncovered[(child, b, w)] = sum(
                1 for d, weekday in open_weekdays if weekday not in shared or d in away
            )
            if (w, child) not in slots:
                slots[(w, child)] = team.shared_slots(w, child)
            no_slot = has_windows and slots[(w, child)] == 0
            spare = int(ctx.workers[w].hours_per_week * 60) - keyed.get((w, b), 0)
            no_room = spare < team.weekly_of.get((child, b), 0)
            self.misfit[(child, b, w)] = int(no_slot) + int(no_room)

    def _meets(self, worker: str | None, child: str, day: dt.date, minutes: int) -> bool:
        """At work that day with a window shared with the child long enough for a session."""
        if worker is None:
            return False
        ctx = self.ctx
        return day.weekday() in ctx.shared_weekdays(worker, child, minutes) and ctx.at_work(
            worker, day
        )

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
        # read for every sequence the programme and the greedy try: worked out once
        found = self._cost.get((child, b, w))
        if found is None:
            current = self.ctx.children[child].current_secondary_worker
            relation = 0
            if current in self.options[(child, b)] and w != current:
                relation += NOT_CURRENT_COST
            if w not in self.known(child):
                relation += UNKNOWN_COST
            found = (relation, self.uncovered[(child, b, w)], self.misfit[(child, b, w)])
            self._cost[(child, b, w)] = found
        return found

    def change(self, child: str, b: int, before: str | None, w: str) -> Cost:
        """Leaving the previous block's secondary while they are still eligible."""
        return self.leave(child, b, before) if w != before else ZERO

    def leave(self, child: str, b: int, before: str | None) -> Cost:
        """What naming anyone but ``before`` (the previous block's secondary) costs in
        block ``b``: the change, where they are still eligible."""
        if before is not None and before in self.options[(child, b)]:
            return (CHANGE_COST, 0, 0)
        return ZERO

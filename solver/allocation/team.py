"""The variables of one team's allocation model, built block by block.

``TeamModel`` holds the CP-SAT model, its four goal levels and the key-worker
choice of every child-block; ``add_block`` adds one block's assignment (rule 6 net
of absences, rule 7 in ``caseload.py``) and its load terms. The relationship terms
that span blocks are in ``objectives.py``; ``model.py`` solves and reads back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.allocation.blocks import (
    Block,
    DayAlloc,
    current_allocation_map,
    team_blocks,
    weekly_load,
)
from solver.allocation.caseload import add_caseload
from solver.allocation.objectives import add_even_caseloads, slot_capacity
from solver.assignment import GapProblem, add_assignment
from solver.context import Context, TeamPart
from solver.eligibility import employed, may_hold_case
from solver.presence import Presence, block_presence
from solver.terms import Level, Lit, Reason
from solver.weights import OVER_QUARTER_WEIGHT, UNALLOCATED_DAY_WEIGHT, risk_weight


@dataclass
class TeamModel:
    """One team's allocation model: its variables, levels and the facts they index."""

    ctx: Context
    part: TeamPart
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    blocks: list[Block] = field(default_factory=list)
    current: dict[tuple[str, dt.date], DayAlloc] = field(default_factory=dict)
    unallocated: Level = field(default_factory=lambda: Level(1, "unallocated child-days"))
    continuity: Level = field(
        default_factory=lambda: Level(2, "key-worker changes and cover pressure")
    )
    stability: Level = field(
        default_factory=lambda: Level(3, "allocation changes against the current plan")
    )
    wishes: Level = field(default_factory=lambda: Level(4, "wishes and even caseloads"))
    key_vars: dict[tuple[str, str, int], cp_model.IntVar] = field(default_factory=dict)
    key_by: dict[tuple[str, int], dict[str, cp_model.IntVar]] = field(default_factory=dict)
    # the literal "the child has a key worker in the block", per child-block
    allocated: dict[tuple[str, int], Lit] = field(default_factory=dict)
    child_blocks: dict[str, list[int]] = field(default_factory=dict)
    block_days: dict[tuple[str, int], list[dt.date]] = field(default_factory=dict)
    overflow_vars: list[tuple[str, int, int]] = field(default_factory=list)  # (worker, cap, b)
    weekly_of: dict[tuple[str, int], int] = field(default_factory=dict)
    # absences, read once per (worker, block)
    presence: dict[tuple[str, int], Presence] = field(default_factory=dict)

    @classmethod
    def build(cls, ctx: Context, part: TeamPart) -> TeamModel:
        """The model with every block's assignment and load terms."""
        team = cls(ctx, part)
        team.blocks = team_blocks(ctx, part.workers, part.children)
        team.current = current_allocation_map(ctx)
        for b, block in enumerate(team.blocks):
            team.add_block(b, block)
        return team

    @property
    def levels(self) -> list[Level]:
        return [self.unallocated, self.continuity, self.stability, self.wishes]

    def add_block(self, b: int, block: Block) -> None:
        """Block ``b``: who may be key worker for whom, within caseloads and hours."""
        ctx = self.ctx
        present = [
            ref
            for ref in self.part.workers
            if employed(ctx.workers[ref], block.first)
            and employed(ctx.workers[ref], block.last)
            and ctx.workers[ref].max_caseload > 0
        ]
        for w in present:
            self.presence[(w, b)] = block_presence(ctx, w, block.first, block.last)
        jobs, load = self._jobs(b, block, present)
        # rule 6 net of absences (solver/presence.py)
        capacity = {w: self.presence[(w, b)].capacity for w in present}
        problem = GapProblem(tuple(present), tuple(jobs), load, {}, capacity)
        assign = add_assignment(
            self.model, problem, allow_unassigned=True, soft_capacity=True, prefix=f"key{b}"
        )
        weeks = max(1, round(len(block.days()) / 7))
        for w, over in assign.overflow.items():
            # 15 minutes a week over capacity ~ a quarter of a cover session
            unit = self.model.new_int_var(0, 10_000, f"over15[{w},{b}]")
            self.model.add(15 * unit >= over)
            self.continuity.add(
                unit,
                OVER_QUARTER_WEIGHT * weeks,
                Reason.OVER_HOURS,
                {"worker": w, "block": b, "day": block.first},
            )
            self.overflow_vars.append((w, capacity[w], b))
        for (w, child), var in assign.x.items():
            self.key_vars[(child, w, b)] = var
            self.key_by[(child, b)][w] = var
        for child, flag in assign.unassigned.items():
            days = self.block_days[(child, b)]
            self.allocated[(child, b)] = flag.Not()
            self.unallocated.add(
                flag,
                UNALLOCATED_DAY_WEIGHT * risk_weight(ctx.children[child]) * len(days),
                Reason.UNALLOCATED,
                {"child": child, "block": b, "day": days[0]},
            )
        slot_capacity(
            ctx,
            model=self.model,
            jobs=jobs,
            present=present,
            key_by=self.key_by,
            block=b,
            continuity=self.continuity,
            weeks=weeks,
        )
        add_caseload(
            self.model,
            ctx,
            block=block,
            b=b,
            present=present,
            jobs=jobs,
            block_days=self.block_days,
            key_vars=self.key_vars,
        )
        add_even_caseloads(
            self.model, b=b, present=present, jobs=jobs, key_vars=self.key_vars, wishes=self.wishes
        )

    def _jobs(
        self, b: int, block: Block, present: list[str]
    ) -> tuple[list[str], dict[tuple[str, str], int]]:
        """The children in force in block ``b`` and each candidate's weekly load of them."""
        ctx = self.ctx
        jobs: list[str] = []
        load: dict[tuple[str, str], int] = {}
        for child in self.part.children:
            force = set(ctx.in_force[child])
            days = [d for d in block.days() if d in force]
            if not days:
                continue
            kid = ctx.children[child]
            candidates = [w for w in present if may_hold_case(ctx.workers[w], kid)]
            pin_holds = kid.pinned_from is None or block.first >= kid.pinned_from
            if kid.pinned_worker in candidates and pin_holds:
                candidates = [kid.pinned_worker]
            jobs.append(child)
            self.key_by[(child, b)] = {}
            self.child_blocks.setdefault(child, []).append(b)
            self.block_days[(child, b)] = days
            weekly = weekly_load(ctx, child, days[0])
            self.weekly_of[(child, b)] = weekly
            for w in candidates:
                load[(w, child)] = self.presence[(w, b)].load(weekly)
        return jobs, load

"""The timetable stage: one model per team side by side, then cover from other teams."""

from __future__ import annotations

from solver.allocation import AllocationResult
from solver.budget import Budget
from solver.candidates import TravelTable
from solver.context import Context, TeamPart, team_parts
from solver.cross_team import CrossTeamCover
from solver.parallel import run_parts
from solver.params import SolverParams
from solver.timetable.facts import fixed_facts
from solver.timetable.model import TeamModel
from solver.timetable.results import TeamTimetable, TimetableResult
from solver.timetable.state import RebuildInFull


def timetable(
    ctx: Context, alloc: AllocationResult, params: SolverParams, budget: Budget
) -> TimetableResult:
    facts = fixed_facts(ctx)
    travel = TravelTable(ctx)
    parts = team_parts(ctx)
    sizes = [len(p.children) for p in parts]

    def work(part: TeamPart, share: Budget, cpw: int) -> TeamTimetable:
        try:
            return TeamModel(ctx, part, alloc, facts, travel).solve(share, cpw, params)
        except RebuildInFull:  # a kept session no longer fits: every child gets all candidates
            model = TeamModel(ctx, part, alloc, facts, travel, shortcut=False)
            return model.solve(share, cpw, params)

    outputs = run_parts(
        parts, sizes, budget, params.num_workers, work, use_processes=params.use_processes
    )
    result = TimetableResult(kept=facts.kept)
    cross = CrossTeamCover(
        ctx,
        travel,
        fixed_busy=facts.busy,
        fixed_minutes=facts.minutes,
        fixed_count=facts.count,
        fixed_days=facts.days,
    )
    for out in outputs:
        result.chosen.extend(out.chosen)
        result.cancelled.extend(out.cancelled)
        result.levels.append(out.levels)
        result.rescuable |= out.rescuable
        for cand in out.chosen:
            cross.add(cand)
    result.chosen.extend(cross.keep(ctx.movable_sessions))  # goal 3 for cross-team cover
    result.chosen.extend(cross.fill())
    # broken sessions of children without a plan in the horizon are cancelled too
    planned = set(ctx.planned)
    for child, sessions in facts.broken.items():
        if child not in planned:
            result.cancelled.extend(sessions)
    return result

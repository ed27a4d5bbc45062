"""Solver settings: the one place that holds time limits, workers, seed and logging."""

from __future__ import annotations

from dataclasses import dataclass

from solver.budget import WORK_PER_SECOND, Budget

# Measured on the reference machine (bench/README.md, "Time budget by size"): at team
# size (90 children) the plan at 7.2 s has the 30 s plan's key-worker changes and
# contact gaps, fewer cover sessions and a few fewer of 475 sessions.
SECONDS_PER_CHILD = 0.08
MIN_SECONDS = 5.0

# -- how the work is split; every share is fixed before the search starts
# The allocation decides continuity (key-worker changes, who succeeds a leaver); at
# team size its continuity level needs about 3.4 work units to be proven, and with a
# smaller share a 7 s plan made 21 key-worker changes where 18 were the optimum.
ALLOCATION_SHARE = 0.5
# of a team's allocation, what naming the secondary workers may take (after the keys)
SECONDARY_SHARE = 0.15
# the secondary workers' spread (their level 4): a small search of its own
SECONDARY_SPREAD_WORK = 0.3
# the allocation's levels: unallocated days, continuity, stability, wishes. Level 1
# is proven at once at every size (work it leaves goes on); continuity is where a
# short search pays: at team size 0.35 of it made 21 key-worker changes, 0.6 made 18
ALLOCATION_LEVEL_SHARES = (0.1, 0.6, 0.1, 0.2)
# the timetable's levels: sessions short, continuity, stability, routine
TIMETABLE_LEVEL_SHARES = (0.25, 0.5, 0.1, 0.15)
# What the work after the team timetables (the cross-team fill, findings, metrics)
# takes per planned child, measured at la size (3,000 children: 6.5 s fill, 1.1 s
# findings): kept back from the timetables so that the call keeps to its time limit.
# The fill has since become faster (5.3 s on a VM a third slower); the share stays,
# as any change to it changes every plan.
FINISH_SECONDS_PER_CHILD = 0.0025
# below this, a team model's CP-SAT search is skipped: at la size (38,000 candidates a
# team) building the model and four presolves take 3-5 s whatever the time limit
MIN_SEARCH_WORK = 0.7
# with less work than this a team model builds two starts, not five (la size: ~2 s each)
FEW_STARTS_BELOW = 2.8
# a hint completion or a first feasible point: a small share of work, not a search
COMPLETION_WORK = 2.0
# CP-SAT's search workers (interleaved, so deterministic) and the teams solved side
# by side: the reference machine has two cores
NUM_WORKERS = 2


@dataclass(frozen=True, slots=True)
class SolverParams:
    """CP-SAT settings for one ``solve`` call.

    ``time_limit_seconds`` is the most nominal time the whole call may take; a call
    gets ``seconds_per_child`` per planned child of it (at least ``MIN_SECONDS``),
    so a team of 90 gets 7.2 s and a local authority of 3,000 gets the
    whole limit (``seconds_for``). ``seconds_per_child = 0`` gives every call the
    whole limit. The work is fixed before the search starts: it depends on the
    input alone, never on how the search goes, so the plan stays the same. The searches
    are limited by deterministic work (``work_per_second`` times it, see
    ``solver/budget.py``), so the same input gives the same plan on a busy machine;
    the wall clock stops them only at three times the limit. ``num_workers`` is both the
    CP-SAT search workers (interleaved, so still deterministic) and the number of
    team models solved side by side (each then gets one worker). ``use_processes``:
    from service size up, teams are solved in forked worker processes so both cores
    build models too; set it to False where forking is unwelcome (teams then run one
    after another here).
    """

    time_limit_seconds: float = 30.0
    num_workers: int = NUM_WORKERS
    random_seed: int = 0
    log_search: bool = False
    use_processes: bool = True
    work_per_second: float = WORK_PER_SECOND
    seconds_per_child: float = SECONDS_PER_CHILD

    def seconds_for(self, children: int) -> float:
        """The nominal seconds a call planning ``children`` children gets."""
        if self.seconds_per_child <= 0:
            return self.time_limit_seconds
        wanted = max(MIN_SECONDS, self.seconds_per_child * children)
        return min(self.time_limit_seconds, wanted)

    def budget(self, children: int) -> Budget:
        """The work for a call planning ``children`` children (``seconds_for``)."""
        return Budget.for_seconds(self.seconds_for(children), work_per_second=self.work_per_second)

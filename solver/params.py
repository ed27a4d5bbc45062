"""Solver settings: the one place that holds time limits, workers, seed and logging."""

from __future__ import annotations

from dataclasses import dataclass

from solver.budget import WORK_PER_SECOND, Budget


@dataclass(frozen=True, slots=True)
class SolverParams:
    """CP-SAT settings for one ``solve`` call.

    ``time_limit_seconds`` is the nominal budget of the whole call. The searches
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
    num_workers: int = 2
    random_seed: int = 0
    log_search: bool = False
    use_processes: bool = True
    work_per_second: float = WORK_PER_SECOND

    def budget(self) -> Budget:
        return Budget.for_seconds(self.time_limit_seconds, work_per_second=self.work_per_second)

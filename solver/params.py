"""Solver settings: the one place that holds time limits, workers, seed and logging."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SolverParams:
    """CP-SAT settings for one ``solve`` call.

    ``time_limit_seconds`` is the wall-clock budget of the whole call; the stages
    share it. ``num_workers`` is both the CP-SAT search workers and the number of
    team models solved side by side (each then gets one worker, which keeps every
    team's search deterministic). ``use_processes``: from service size up, teams are
    solved in forked worker processes so both cores build models too; set it to
    False where forking is unwelcome (teams then run one after another here).
    """

    time_limit_seconds: float = 30.0
    num_workers: int = 2
    random_seed: int = 0
    log_search: bool = False
    use_processes: bool = True

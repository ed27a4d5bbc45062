"""Search budgets: deterministic work decides, the wall clock only stops a runaway.

A plan must not depend on how busy the machine was: the manager previews a plan
and commits that same plan. So every search stage is limited by CP-SAT's
*deterministic time* (a count of work, the same on a busy or an idle machine)
and every split of the budget between stages, levels and teams is made from
sizes and from the deterministic time already used, never from seconds left.

The wall clock stays as a safety stop: ``SAFETY_FACTOR`` times the nominal time
limit. A search it stops is reported (``Budget.stopped``, then the solution's
``clock_stopped``), because that plan may differ from a rerun.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

# Deterministic seconds of CP-SAT work per nominal second of time limit. Measured
# on the reference machine (2-vCPU AMD EPYC VM, bench/README.md): the team, service
# and la scenarios then take about as long as they did under wall-clock limits.
WORK_PER_SECOND = 0.7
# The wall clock stops the search only when a run takes this many times its time limit
# (a machine three times slower than usual: busy, or much smaller).
SAFETY_FACTOR = 3.0
# Below this a CP-SAT call is not worth making (and 0 means "no limit" to CP-SAT).
MIN_WORK = 0.01


@dataclass(frozen=True, slots=True)
class Budget:
    """``work``: deterministic seconds this stage may use; ``deadline``: the safety stop
    (a ``time.monotonic()`` value, one clock for this and forked processes)."""

    work: float
    deadline: float

    @classmethod
    def for_seconds(cls, seconds: float, *, work_per_second: float = WORK_PER_SECOND) -> Budget:
        return cls(seconds * work_per_second, time.monotonic() + seconds * SAFETY_FACTOR)

    def share(self, fraction: float) -> Budget:
        return Budget(self.work * fraction, self.deadline)

    def less(self, used: float) -> Budget:
        return Budget(max(0.0, self.work - used), self.deadline)

    def seconds_left(self) -> float:
        return max(0.05, self.deadline - time.monotonic())

    def limit(self, solver: cp_model.CpSolver, work: float | None = None) -> None:
        """Put ``work`` (default: all of it) and the safety stop on ``solver``."""
        solver.parameters.max_deterministic_time = max(
            MIN_WORK, self.work if work is None else work
        )
        solver.parameters.max_time_in_seconds = self.seconds_left()


def used(solver: cp_model.CpSolver) -> float:
    """The deterministic time ``solver``'s last solve used."""
    return float(solver.response_proto.deterministic_time)


def stopped_by_clock(solver: cp_model.CpSolver, status: Any) -> bool:
    """True when the safety stop, not the work limit or a proof, ended the last solve."""
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        return False
    params = solver.parameters
    return (
        solver.wall_time >= 0.98 * params.max_time_in_seconds
        and used(solver) < 0.98 * params.max_deterministic_time
    )

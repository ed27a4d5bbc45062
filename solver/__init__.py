"""keyworker's planning core: plain typed data in, a plan and its explanations out.

No database, no I/O. ``solve`` runs the allocation stage (who is key and
secondary worker on which days) and the timetabling stage (every session of
every support plan in real slots), both as lexicographic CP-SAT models;
``validate`` rechecks SPEC's hard rules 1-8 without CP-SAT; ``suggest`` ranks
candidate key workers for a manual edit.
"""

from __future__ import annotations

from solver.errors import InfeasibleInput, SolverError, UnknownChild
from solver.instance import (
    Absence,
    Child,
    CurrentAllocation,
    ExistingSession,
    Instance,
    SupportPlan,
    Window,
    Worker,
)
from solver.params import SolverParams
from solver.solution import (
    Allocation,
    Finding,
    GoalBound,
    Metrics,
    PlannedSession,
    Solution,
)
from solver.solve import solve
from solver.suggest import Suggestion, suggest
from solver.validate import Violation, validate

__all__ = [
    "Absence",
    "Allocation",
    "Child",
    "CurrentAllocation",
    "ExistingSession",
    "Finding",
    "GoalBound",
    "InfeasibleInput",
    "Instance",
    "Metrics",
    "PlannedSession",
    "Solution",
    "SolverError",
    "SolverParams",
    "Suggestion",
    "SupportPlan",
    "UnknownChild",
    "Violation",
    "Window",
    "Worker",
    "solve",
    "suggest",
    "validate",
]

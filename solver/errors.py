"""Exceptions raised by the solver package.

The tree::

    SolverError(RuntimeError)      the solver could not produce a plan (CP-SAT failed,
                                   or a model it built was infeasible although it
                                   always has a fallback - a bug)
    InfeasibleInput(ValueError)    the instance itself breaks the contract: unknown
                                   references, overlapping plans, naive datetimes,
                                   a session length that is not a multiple of 15
    UnknownChild(KeyError)         ``suggest`` was asked about a child that is not in
                                   the instance

Only ``cli/`` turns these into exit codes.
"""

from __future__ import annotations


class SolverError(RuntimeError):
    """CP-SAT returned no solution for a model that always has one (a bug)."""

    def __init__(self, stage: str, detail: str) -> None:
        self.stage = stage
        self.detail = detail
        super().__init__(f"{stage}: {detail}")


class InfeasibleInput(ValueError):
    """The instance breaks the input contract; ``field`` and ``value`` say where."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}={value!r}: {reason}")


class UnknownChild(KeyError):
    """``suggest`` was given a child reference that the instance does not hold."""

    def __init__(self, child: str) -> None:
        self.child = child
        super().__init__(child)

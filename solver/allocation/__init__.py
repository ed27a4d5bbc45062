"""The allocation stage: who is each child's key worker and secondary worker on which
days (``model.py``; rule 7 in ``caseload.py``, the goal terms in ``objectives.py``,
the blocks and the current plan's view in ``blocks.py``, the variables in ``team.py``,
why a key worker changed in ``changes.py``)."""

from solver.allocation.blocks import AllocationResult, Block, DayAlloc, pattern_slots
from solver.allocation.changes import binding_rule, change_cause
from solver.allocation.model import allocate

__all__ = [
    "AllocationResult",
    "Block",
    "DayAlloc",
    "allocate",
    "binding_rule",
    "change_cause",
    "pattern_slots",
]

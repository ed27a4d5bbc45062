"""Recheck SPEC's hard planning rules 1-8 on a solution, without CP-SAT.

``validate(instance, solution)`` returns one ``Violation`` per broken rule
instance; an empty list means the plan may be committed. Sessions that rule 8
fixes (before now, inside the freeze window, locked) and that the plan keeps
unchanged are exempt from rules 1, 4, 5 and 6 among themselves: the plan may
not move them, so a clash purely between them is the input's, not the plan's.
Rule 0 collects the plan's own shape (periods over their required count,
overlapping allocations, the key worker as secondary, session ids).

The package keeps its own arithmetic for every rule (``reading``): it imports
only the solver's data types, never the model's helpers, so a bug the model and
its check would share cannot hide. ``session_rules`` holds rules 1-6,
``plan_rules`` rules 7 and 8 and the per-period counts.
"""

from __future__ import annotations

from solver.validate.checker import validate
from solver.validate.violation import Violation

__all__ = ["Violation", "validate"]

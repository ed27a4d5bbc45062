"""The cost of naming a secondary on levels 1-3, compared lexicographically."""

from __future__ import annotations

# level 1 weights (see the package docstring)
CHANGE_COST = 4
NOT_CURRENT_COST = 2
UNKNOWN_COST = 1

ChildBlock = tuple[str, int]
Cost = tuple[int, int, int]  # relationship, cover, fit: compared lexicographically
ZERO: Cost = (0, 0, 0)


def plus(*costs: Cost) -> Cost:
    """The sum of ``costs``, level by level."""
    return (sum(c[0] for c in costs), sum(c[1] for c in costs), sum(c[2] for c in costs))

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
    # asked hundreds of thousands of times at la size: one pass, not three generators
    relation = cover = fit = 0
    for r, c, f in costs:
        relation += r
        cover += c
        fit += f
    return (relation, cover, fit)

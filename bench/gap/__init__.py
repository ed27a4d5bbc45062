"""The stand-alone generalised assignment (GAP) solver, benchmarked by ``bench/bench_gap.py``.

Research code, not shipped with the product: ``solve`` (LP bound, kernel search,
reduced-cost fixing with CP-SAT), ``tabu_search`` (a penalty tabu walk on numpy
arrays) and ``column_generation`` (the set-partitioning LP and a dive). The
product's allocation stage uses only ``solver.assignment.add_assignment``, which
``solve`` builds its CP-SAT models with.
"""

from __future__ import annotations

from bench.gap.solve import GapSolution, solve_gap
from solver.assignment import GapProblem

__all__ = ["GapProblem", "GapSolution", "solve_gap"]

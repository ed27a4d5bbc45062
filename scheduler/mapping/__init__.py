"""The one place that turns stored rows into solver input.

Everything the solver sees is plain frozen data (``solver.Instance``); no ORM object
crosses. Skills, languages and gender are stored lower-case by the importer.
"""

from scheduler.mapping.load import Loaded, Scope, load_instance
from scheduler.mapping.rows import solver_child, solver_plan, solver_windows

__all__ = ["Loaded", "Scope", "load_instance", "solver_child", "solver_plan", "solver_windows"]

"""The timetable's hard rules, one module each: rule 4 (``no_overlap``), rule 5
(``one_a_day``) and rule 6 (``capacity``). Rules 1-3 hold by construction (only such
slots become candidates, ``solver/candidates.py``); rule 8 is ``facts.py``."""

from solver.timetable.constraints.capacity import add_capacity
from solver.timetable.constraints.no_overlap import add_no_overlap
from solver.timetable.constraints.one_a_day import add_one_a_day

__all__ = ["add_capacity", "add_no_overlap", "add_one_a_day"]

"""Timetabling stage: every required session in a real slot, one CP-SAT model per team.

Given the allocation (key and secondary worker per child-day), each model
chooses among candidate sessions (``candidates.py``) under rules 4-6 and the
period counts. Levels: 1 sessions short of each period's target; 2 continuity
(cover by the secondary worker, cover by anyone else, key-worker contact gaps
longer than ``max_gap_days``, a missing handover before a known change);
3 stability (existing sessions not kept at the same worker, day and time);
4 routine (same weekday and time), short travel, the child's wishes.

Re-planning (goal 3). A child whose existing sessions all still meet rules 1-6
and whose key worker is the one the current plan names is *unchanged*: its
sessions are pinned (fixed to be chosen), and only its own sessions are
candidates, plus the usual ones in a period still short. Everyone else (a
session broken by an absence, a new key worker, a new child, new days at the
horizon end) is solved freely around them, paying level 3 for every move. So an
unchanged input gives back the identical plan and a disruption moves only the
sessions of the children it touches; CP-SAT cannot trade a kept session for
noise inside a level (a session moved for a cheaper routine, or for a cover
improvement a longer first search would have found). Stability yields to goal 1
where it is real: a short period still gets every session that fits around the
pins (the model and the fill below), and a kept session that no longer fits
(a worker's weekly capacity fell) makes the team's model be built in full.
Goal 2 still ranks above goal 3 for an untouched child: the start's repair
(``repair.py``) may move one of its sessions, to another slot with the same worker
in the same period, out of the way of a goal-2 gain for a touched child (to free
a key worker for a child hit by an absence, say); that child is then unpinned and
pays level 3 for the move. With nothing touched nothing is repaired, so an
unchanged input still gives back the identical plan.

Goal 1 first: the search starts from the best of five constructions, ranked by
level 1 and then by level 2: the solver's own (key worker first, most
constrained children first) and the yardstick's (``bench/greedy.py``: first free
slot on the 15-minute grid) with children in input order or high risk first,
each with and without the handovers taken first (at la size, where a team model
has about 2 s, only the own and the high-risk-first one; and there CP-SAT's
search is skipped altogether, as building the model and its presolve would take
longer than the time left: the repaired start is the plan). Those best for level 1 are
repaired for level 2 first (``repair.py``: handovers added, cover and contact
gaps cut without losing a session). After the search a last greedy pass adds a
session wherever one still fits; it moves nothing CP-SAT chose. Periods still
short after every team's model get cover from another team where nobody in the
child's team is free (``cross_team.py``, rule 3).
"""

from solver.periods import period_key
from solver.timetable.facts import FixedFacts, fixed_facts
from solver.timetable.model import TeamModel
from solver.timetable.results import TeamTimetable, TimetableResult
from solver.timetable.stage import timetable

__all__ = [
    "FixedFacts",
    "TeamModel",
    "TeamTimetable",
    "TimetableResult",
    "fixed_facts",
    "period_key",
    "timetable",
]

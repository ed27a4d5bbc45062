"""Secondary workers: who covers first when a child's key worker is away (goal 2).

Named per child and allocation block once the key workers are fixed. Eligible: of
the team, ``may_hold_case``, employed on the block's first and last day, not the
key worker. Priorities, strictly in this order (no level trades against a higher
one):

1. the relationship: the current plan's secondary is kept wherever still eligible
   (pinned, so an unchanged re-plan names the same secondaries, goal 3); elsewhere
   leaving the previous block's secondary while still eligible costs 4, not naming
   the child's current secondary (``current_secondary_worker``) where eligible 2,
   and someone the child does not know (``known_workers``, their current key or
   secondary worker) 1 per block (the manager's rule of thumb);
2. cover: days the child could be seen (plan in force, the child has a window that
   weekday, not past) on which the key worker cannot see them (absent, not
   employed, no window shared with the child that day) and the secondary cannot
   either;
3. fit: no weekly slot shared with a child who has windows, or no spare weekly
   capacity (hours less the key caseload's minutes) for the child's sessions;
4. balance, per block and weighted by its weeks: twice every child beyond the
   first that one key worker passes to the same secondary, plus the most children
   any worker is secondary for, plus each worker's count above the fair share.

Levels 1-3 are separable per child (a child's choice costs nothing to another), so
their lexicographic optimum is exact and cheap: a dynamic programme over the
child's blocks gives each child's best (relationship, cover, fit) and the workers
that lie on some best sequence. Only those become booleans of one CP-SAT model per
team, bounded per child to that best, which then spreads the duty (level 4; one
worker, fixed seed, a deterministic time limit so that a busy machine gives the
same answer, and a wall-clock guard). The greedy start (children by risk, each
taking a best sequence with the least used workers) is the hint and, if the
solve finds nothing, the answer.

The modules, in the order the choice reads them:

- ``costs``: the level 1-3 cost of a choice and the level-1 weights;
- ``facts``: the team's allocation as input (``TeamBlocks``), eligibility, and
  the per child, block and worker facts levels 1-3 read (``SecondaryFacts``);
- ``sequences``: the dynamic programme over a child's blocks (continuity);
- ``start``: the greedy start, the hint and the fallback;
- ``spread``: level 4, the balance of the duty across the team;
- ``choice``: ``choose_secondaries``, the CP-SAT model and its search.
"""

from __future__ import annotations

from solver.secondary.choice import choose_secondaries
from solver.secondary.costs import ChildBlock
from solver.secondary.facts import TeamBlocks, eligible_secondaries

__all__ = ["ChildBlock", "TeamBlocks", "choose_secondaries", "eligible_secondaries"]

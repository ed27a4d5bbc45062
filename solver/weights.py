"""Every weight of every goal level, shared by the models, the flow start and the repair.

The goal-1 and goal-2 weights are multiplied by the child's risk weight
(``risk_weight``), so a high-risk child's continuity is protected first. Levels are
solved lexicographically (solver/lexico.py), so a weight only has to price its
term against the other terms of the same level.
"""

from __future__ import annotations

from solver.candidates import KEY, OTHER, SECONDARY
from solver.instance import Child

# -- the child's risk: every goal-1 and goal-2 term of a child is multiplied by it
RISK_WEIGHT = {"high": 4, "medium": 2, "low": 1}


def risk_weight(child: Child) -> int:
    """The multiplier of ``child``'s terms: higher risk, continuity protected first."""
    return RISK_WEIGHT.get(child.risk, RISK_WEIGHT["medium"])


# -- the timetable, goal 1: per session short of a period's target (times the risk),
# the same for every session, so the solver schedules as many as it can
UNMET_SESSION_WEIGHT = 1

# -- the timetable (and its repair): per session, gap and missing handover
COVER_WEIGHT = {KEY: 0, SECONDARY: 1, OTHER: 3}  # per session, by who delivers it
GAP_WEIGHT = 5  # per run of max_gap_days days without a key-worker session
HANDOVER_WEIGHT = 10  # per known key-worker change without a joint handover before it

# -- the timetable, goal 3: every existing session moved or cancelled costs the same
MOVED_SESSION_WEIGHT = 1  # a movable session not kept at its time and workers
CANCELLED_SESSION_WEIGHT = 1  # a fixed session that lost its worker and was not rescued
# -- the timetable, goal 4: a joint handover costs 1 per this many days before the
# change, so among the handovers that fit the one closest to the change wins
HANDOVER_DAYS_PER_UNIT = 3

# -- the allocation, goal 1: per child-day without a key worker (times the risk)
UNALLOCATED_DAY_WEIGHT = 1

# -- the allocation (and its flow start): per child-block
# leaving the key worker of the block before (or the current one). A change is the
# break the child feels, so it outweighs an hour a week over a worker's hours for a
# four-week block (4 x 4 x OVER_QUARTER_WEIGHT = 48) several times over; at 100 the
# mixed service scenario made more changes than the greedy yardstick (85 v 83). It
# must not dwarf the prices of a key worker who will be away (MOSTLY_AWAY_WEIGHT,
# ABSENT_GAP_WEIGHT below): at 200 the team pipeline scenario kept more absent key
# workers, 90.4 % of sessions with the key worker where 100 and 175 give 93-94 %
# (bench/README.md).
KEY_CHANGE_WEIGHT = 175
UNKNOWN_KEY_WEIGHT = 20  # a new key worker the child does not know
# per 15 minutes a week over the worker's hours, per week of the block: an hour's
# session a week over the hours costs four of these, a week of cover
OVER_QUARTER_WEIGHT = 3
# per quarter-session a week over what a worker's after-school (or other restricted)
# slots hold, per week of the block: below the hours overflow (the session may
# still fit another week's slot, or a shorter one), above nothing
SLOT_OVER_WEIGHT = 2
# A NEW key-worker relationship with someone who will be absent: priced as what it
# will cost in the timetable. One session that must be cover costs what the hours
# overflow charges for it (four quarter-hours); a contact gap and a change without
# a joint handover slot cost as many cover sessions by the secondary worker as the
# timetable's own weights say (the secondary is who covers first).
ABSENT_SESSION_WEIGHT = 4 * OVER_QUARTER_WEIGHT
ABSENT_GAP_WEIGHT = ABSENT_SESSION_WEIGHT * GAP_WEIGHT // COVER_WEIGHT[SECONDARY]
NO_HANDOVER_SLOT_WEIGHT = ABSENT_SESSION_WEIGHT * HANDOVER_WEIGHT // COVER_WEIGHT[SECONDARY]
# ... and one away on most of the child's remaining days with them, whatever the
# sessions: more than a stranger costs (solver/common_sense.py checks this)
MOSTLY_AWAY_WEIGHT = 2 * UNKNOWN_KEY_WEIGHT

# -- the allocation, goal 3: per child-day whose key worker is not the current plan's
MOVED_KEY_DAY_WEIGHT = 1

# -- the allocation, goal 4: the child's wishes above an even spread; a named
# preferred worker counts more than a preferred gender (the child named the person)
WISH_WORKER_WEIGHT = 3  # a key worker not among the child's preferred workers
WISH_GENDER_WEIGHT = 2  # a key worker not of the child's preferred gender
EVEN_CASELOAD_WEIGHT = 1  # per child above the fair share of the block (ceil(children/workers))

# -- the flow start (solver/flow_start.py), a min-cost flow, not a level: allocating
# a child-day must beat any continuity price, and a child past what the worker's
# hours carry costs more than the fewest-children order of the caseload arcs
FLOW_ALLOCATED_REWARD = 100_000  # per risk-weighted child-day allocated
FLOW_OVER_HOURS_PRICE = 50  # per child beyond what the worker's hours carry

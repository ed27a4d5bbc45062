"""Level-2 (continuity) weights, shared by the models, the flow start and the repair.

Each is multiplied by the child's risk weight (``risk_weight``), so a high-risk
child's continuity is protected first.
"""

from __future__ import annotations

from solver.candidates import KEY, OTHER, SECONDARY
from solver.instance import Child

# -- the child's risk: every goal-1 and goal-2 term of a child is multiplied by it
RISK_WEIGHT = {"high": 4, "medium": 2, "low": 1}


def risk_weight(child: Child) -> int:
    """The multiplier of ``child``'s terms: higher risk, continuity protected first."""
    return RISK_WEIGHT.get(child.risk, RISK_WEIGHT["medium"])


# -- the timetable (and its repair): per session, gap and missing handover
COVER_WEIGHT = {KEY: 0, SECONDARY: 1, OTHER: 3}  # per session, by who delivers it
GAP_WEIGHT = 5  # per run of max_gap_days days without a key-worker session
HANDOVER_WEIGHT = 10  # per known key-worker change without a joint handover before it

# -- the allocation (and its flow start): per child-block
# leaving the key worker of the block before (or the current one). A change is the
# break the child feels, so it outweighs an hour a week over a worker's hours for a
# four-week block (4 x 4 x OVER_QUARTER_WEIGHT = 48) several times over; at 100 the
# mixed service scenario made more changes than the greedy yardstick (bench/).
KEY_CHANGE_WEIGHT = 200
UNKNOWN_KEY_WEIGHT = 20  # a new key worker the child does not know
# per 15 minutes a week over the worker's hours, per week of the block: an hour's
# session a week over the hours costs four of these, a week of cover
OVER_QUARTER_WEIGHT = 3
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

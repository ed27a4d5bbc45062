"""Level-2 (continuity) weights of the timetable, shared by the model and the repair.

Each is multiplied by the child's risk weight (``context.RISK_WEIGHT``), so a
high-risk child's continuity is protected first.
"""

from __future__ import annotations

from solver.candidates import KEY, OTHER, SECONDARY

COVER_WEIGHT = {KEY: 0, SECONDARY: 1, OTHER: 3}  # per session, by who delivers it
GAP_WEIGHT = 5  # per run of max_gap_days days without a key-worker session
HANDOVER_WEIGHT = 10  # per known key-worker change without a joint handover before it

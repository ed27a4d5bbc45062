"""Findings (SPEC "Alerts"): every break of goal 1 or 2 in a plan, with a reason.

Each finding is recomputed from the plan itself (so none is raised without a
break and none is missed) and its reason is read from the data that binds:
which rule rules the old worker out, whose absence or full week forces cover.
A key-worker change's reason is a code and its facts (``solver.terms.Cause``),
read from what the allocation paid where it paid for the change, and put in words
by the table in ``messages.py``.
"""

from solver.findings.common import HIGH, LOW, MEDIUM, key_on
from solver.findings.gaps import contact_gap_findings, gap_start, gap_stretches
from solver.findings.keyworker import (
    allocation_findings,
    change_reason,
    leaving_findings,
    unallocated_reason,
)
from solver.findings.messages import CHANGE_MESSAGES, change_message
from solver.findings.sessions import cover_findings, frozen_findings, unmet_findings

__all__ = [
    "CHANGE_MESSAGES",
    "HIGH",
    "LOW",
    "MEDIUM",
    "allocation_findings",
    "change_message",
    "change_reason",
    "contact_gap_findings",
    "cover_findings",
    "frozen_findings",
    "gap_start",
    "gap_stretches",
    "key_on",
    "leaving_findings",
    "unallocated_reason",
    "unmet_findings",
]

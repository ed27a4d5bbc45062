"""Findings (SPEC "Alerts"): every break of goal 1 or 2 in a plan, with a reason.

Each finding is recomputed from the plan itself (so none is raised without a
break and none is missed) and its reason is read from the data that binds:
which rule rules the old worker out, whose absence or full week forces cover.
Every reason is a code and its facts (``solver.terms.Cause``), chosen by a small
classifier per kind (``cover_cause``, ``unmet_cause``, ``gap_cause``,
``unallocated_cause``, the worker's ``Context.session_problem``; a key-worker change's
from what the allocation paid where it paid for the change), put in words by the
kind's table in ``messages.py``; ``Finding.reason_code`` keeps the code.
"""

from solver.findings.common import HIGH, LOW, MEDIUM, key_on
from solver.findings.gaps import contact_gap_findings, gap_cause, gap_start, gap_stretches
from solver.findings.keyworker import (
    allocation_findings,
    leaving_findings,
    unallocated_cause,
    unallocated_reason,
)
from solver.findings.messages import (
    CHANGE_MESSAGES,
    COVER_MESSAGES,
    COVER_ROLES,
    FROZEN_MESSAGES,
    GAP_MESSAGES,
    LEAVING_MESSAGES,
    PROBLEM_MESSAGES,
    UNALLOCATED_MESSAGES,
    UNMET_MESSAGES,
    change_message,
    in_words,
    problem_message,
)
from solver.findings.sessions import (
    cover_cause,
    cover_findings,
    frozen_findings,
    unmet_cause,
    unmet_findings,
)

__all__ = [
    "CHANGE_MESSAGES",
    "COVER_MESSAGES",
    "COVER_ROLES",
    "FROZEN_MESSAGES",
    "GAP_MESSAGES",
    "HIGH",
    "LEAVING_MESSAGES",
    "LOW",
    "MEDIUM",
    "PROBLEM_MESSAGES",
    "UNALLOCATED_MESSAGES",
    "UNMET_MESSAGES",
    "allocation_findings",
    "change_message",
    "contact_gap_findings",
    "cover_cause",
    "cover_findings",
    "frozen_findings",
    "gap_cause",
    "gap_start",
    "gap_stretches",
    "in_words",
    "key_on",
    "leaving_findings",
    "problem_message",
    "unallocated_cause",
    "unallocated_reason",
    "unmet_cause",
    "unmet_findings",
]

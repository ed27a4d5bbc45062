"""The re-planning pipeline: load, solve, validate, diff, alerts, commit.

``propose`` reads the store and returns a plan without writing anything;
``commit`` makes a proposal the current plan in one transaction, so a crash or a
kill at any moment leaves either the old plan or the new one, never a mix. The
nightly job and ``keyworker plan --commit`` both go through here.

The modules: :mod:`.request` (what is asked), :mod:`.loading` (what a re-plan starts
from), :mod:`.proposing` and :mod:`.proposal` (the plan proposed), :mod:`.committing` and
:mod:`.write` (making it the current plan), :mod:`.suggesting` (candidates for one
child) and :mod:`.stored_alerts`.
"""

from __future__ import annotations

from scheduler.pipeline.committing import CommitResult, commit
from scheduler.pipeline.proposal import PreviewCheck, Proposal
from scheduler.pipeline.proposing import propose
from scheduler.pipeline.request import AfterCommit, PlanRequest, Progress, Solve, solver_params
from scheduler.pipeline.stored_alerts import all_alerts, open_alerts
from scheduler.pipeline.suggesting import suggest

__all__ = [
    "AfterCommit",
    "CommitResult",
    "PlanRequest",
    "PreviewCheck",
    "Progress",
    "Proposal",
    "Solve",
    "all_alerts",
    "commit",
    "open_alerts",
    "propose",
    "solver_params",
    "suggest",
]

"""One re-planning run end to end, as ``plan --commit`` and the nightly job do it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from scheduler.db import Database
from scheduler.notify import DeliveryReport, deliver_alerts, tell_workers
from scheduler.pipeline import (
    AfterCommit,
    CommitResult,
    PlanRequest,
    Progress,
    Proposal,
    commit,
    propose,
)
from scheduler.settings import Settings

NOTICE_DAYS = 7


@dataclass(frozen=True, slots=True)
class RunOutcome:
    proposal: Proposal
    committed: CommitResult | None
    delivery: DeliveryReport | None


def run(
    database: Database,
    settings: Settings,
    request: PlanRequest,
    *,
    actor: str,
    do_commit: bool,
    after_commit: AfterCommit | None = None,
    progress: Progress | None = None,
) -> RunOutcome:
    proposal = propose(database, settings, request, progress=progress)
    if not do_commit:
        return RunOutcome(proposal, None, None)
    result = commit(database, proposal, actor=actor, now=request.now, after_commit=after_commit)
    delivery = deliver_alerts(database, settings, now=request.now)
    tell_workers(database, settings, worker_notices(proposal, settings), delivery)
    return RunOutcome(proposal, result, delivery)


def worker_notices(proposal: Proposal, settings: Settings) -> dict[str, list[str]]:
    """worker ref -> the changes to their sessions starting in the next 7 days."""
    soon = proposal.request.now + timedelta(days=NOTICE_DAYS)
    out: dict[str, list[str]] = {}
    for change in proposal.changes:
        if not change.moved or change.start is None or change.start > soon:
            continue
        for worker in change.workers:
            out.setdefault(worker, []).append(change.text)
    return out

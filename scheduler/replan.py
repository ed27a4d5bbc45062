"""One re-planning run end to end, as ``plan --commit`` and the nightly job do it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from scheduler import proposals
from scheduler.db import Database
from scheduler.errors import NotFound
from scheduler.notify import DeliveryReport, deliver_alerts, tell_workers
from scheduler.pipeline import (
    AfterCommit,
    CommitResult,
    PlanRequest,
    Progress,
    Proposal,
    Solve,
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
    proposal_id: int | None = None,
    recorded_at: datetime | None = None,
    solve: Solve | None = None,
) -> RunOutcome:
    """Plan ``request``; a dry run is stored as a proposal, and a commit commits the
    newest stored proposal for the same horizon and teams (or ``proposal_id``) when
    nothing it was made from has changed, else a new plan that says what differs."""
    previewed = None
    if do_commit:
        with database.reading() as session:
            if proposal_id is not None:
                found = proposals.by_id(session, proposal_id)
                if found is None:
                    raise NotFound("stored proposal", str(proposal_id))
                previewed = found[0]
            else:
                previewed = proposals.latest(
                    session, start=request.start, weeks=request.weeks, teams=request.teams
                )
    proposal = propose(
        database, settings, request, progress=progress, previewed=previewed, solve=solve
    )
    if not do_commit:
        store_proposal(database, settings, proposal, actor=actor)
        return RunOutcome(proposal, None, None)
    result = commit(
        database,
        proposal,
        actor=actor,
        now=request.now,
        after_commit=after_commit,
        recorded_at=recorded_at,
    )
    delivery = deliver_alerts(database, settings, now=request.now)
    tell_workers(database, settings, worker_notices(proposal, settings), delivery)
    return RunOutcome(proposal, result, delivery)


def store_proposal(
    database: Database, settings: Settings, proposal: Proposal, *, actor: str
) -> int:
    """Keep a dry run's plan, so that a commit can commit exactly it; sets ``stored``."""
    request = proposal.request
    with database.transaction() as session:
        proposal.stored = proposals.store(
            session,
            solution=proposal.solution,
            fingerprint=proposal.fingerprint,
            settings=settings,
            start=request.start,
            weeks=request.weeks,
            teams=request.teams,
            as_of=request.now,
            created_at=datetime.now(UTC),
            created_by=actor,
        )
    return proposal.stored


def request_of(database: Database, proposal_id: int, now: datetime) -> PlanRequest:
    """The horizon and teams of stored proposal ``proposal_id``, planned at ``now``."""
    with database.reading() as session:
        found = proposals.by_id(session, proposal_id)
        if found is None:
            raise NotFound("stored proposal", str(proposal_id))
        row = found[1]
        return PlanRequest(
            now=now, start=row.horizon_start, weeks=row.weeks, teams=tuple(row.teams)
        )


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

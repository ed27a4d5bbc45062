"""A child who excludes their current key worker asks to change (SPEC children.csv).

The import takes the row (it is the child's voice, not a mistake in the file), tells the
manager, and audits the request; the next plan gives the child another key worker, with
a ``KEYWORKER_CHANGE`` whose reason is the exclusion.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.csv_import.rows import ChildRow
from scheduler.models import KeyWorkerHistory, PlanAllocation, PlanVersion

REASON = "excluded"
_FEW = 500  # up to this many children, their relationships are looked up by id


def record_excluded_key_workers(
    session: Session,
    rows: Iterable[ChildRow],
    *,
    excluded_before: Mapping[str, list[str]],
    pinned: Mapping[str, str],
    child_ids: Mapping[str, int],
    worker_ids: Mapping[str, int],
    today: date,
    now: datetime,
    actor: str,
    notes: list[str],
) -> None:
    """Audit and note each worker a row newly excludes who is that child's key worker.

    "Key worker" is any relationship the next plan would otherwise keep: the case
    record's (after this import's own changes) and the current plan's, from today on.
    Only a newly added exclusion counts, so re-importing the same file says nothing.
    """
    newly: dict[int, tuple[ChildRow, set[int]]] = {}
    for row in rows:
        added = set(row.excluded_workers) - set(excluded_before.get(row.ref, ()))
        if added:
            newly[child_ids[row.ref]] = (row, {worker_ids[ref] for ref in added})
    if not newly:
        return
    keyed = _key_workers_from(session, set(newly), today)
    refs = {id_: ref for ref, id_ in worker_ids.items()}
    for child_id, (row, excluded) in newly.items():
        for worker_ref in sorted(refs[w] for w in excluded & keyed.get(child_id, set[int]())):
            audit.record(
                session,
                actor=actor,
                action="import.key_worker_excluded",
                at=now,
                child=row.ref,
                worker=worker_ref,
                reason=REASON,
            )
            note = (
                f"children.csv:{row.line}: {row.ref} excludes their key worker {worker_ref}; "
                f"the next plan gives {row.ref} another key worker"
            )
            if pinned.get(row.ref) == worker_ref:
                note += f" (the pin to {worker_ref} cannot be kept: unpin {row.ref})"
            notes.append(note)


def _key_workers_from(session: Session, child_ids: set[int], today: date) -> dict[int, set[int]]:
    """child id -> worker ids who are its key worker on some day from ``today`` on."""
    out: dict[int, set[int]] = defaultdict(set)
    history = select(KeyWorkerHistory.child_id, KeyWorkerHistory.worker_id).where(
        KeyWorkerHistory.role == "key",
        KeyWorkerHistory.end_date.is_(None) | (KeyWorkerHistory.end_date >= today),
    )
    planned = (
        select(PlanAllocation.child_id, PlanAllocation.key_worker_id)
        .join(PlanVersion, PlanAllocation.plan_version_id == PlanVersion.id)
        .where(
            PlanVersion.is_current.is_(True),
            PlanAllocation.key_worker_id.is_not(None),
            PlanAllocation.end >= today,
        )
    )
    if len(child_ids) <= _FEW:
        history = history.where(KeyWorkerHistory.child_id.in_(child_ids))
        planned = planned.where(PlanAllocation.child_id.in_(child_ids))
    # Else read whole and filtered here: an IN list of a first import's 50,000 children is
    # past some drivers' parameter limits, and both tables hold a few rows a child.
    for query in (history, planned):
        for child_id, worker_id in session.execute(query).tuples():
            if child_id in child_ids and worker_id is not None:
                out[child_id].add(worker_id)
    return out

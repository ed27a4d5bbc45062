"""children.csv's ``key_worker`` is what the case record says (SPEC "Import rules").

It changes the child's current key worker only when it differs from the value imported
last time for that child (the importer decides that, and leaves pinned children alone);
then the imported value wins over the current plan, and the change is audited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.csv_import.rows import ChildRow
from scheduler.models import KeyWorkerHistory

REASON = "changed in the case record"
_FEW = 500  # up to this many changed children, their history is looked up by id


def apply_key_worker_changes(
    session: Session,
    changes: list[ChildRow],
    *,
    child_ids: Mapping[str, int],
    worker_ids: Mapping[str, int],
    last_imported: Mapping[str, str | None],
    today: date,
    now: datetime,
    actor: str,
) -> None:
    """The case record named a new key worker: it wins over the plan (pins are dealt
    with before this).

    The relationship in force today (or starting later) ends yesterday (or is dropped
    if it had not begun), and the named worker is key worker from today; a child's
    first key worker starts on ``key_worker_since`` and is not a change.
    """
    if not changes:
        return
    changed_ids = {child_ids[c.ref] for c in changes}
    query = (
        select(KeyWorkerHistory)
        .where(KeyWorkerHistory.end_date.is_(None) | (KeyWorkerHistory.end_date >= today))
        .order_by(KeyWorkerHistory.start_date, KeyWorkerHistory.id)
    )
    if len(changed_ids) <= _FEW:
        query = query.where(KeyWorkerHistory.child_id.in_(changed_ids))
    # Else loaded whole and filtered here: an IN list of 50,000 ids is past some drivers'
    # parameter limits, and this table holds a few rows a child.
    ongoing: dict[int, list[KeyWorkerHistory]] = defaultdict(list)
    secondary: dict[int, list[KeyWorkerHistory]] = defaultdict(list)
    for history in session.scalars(query):
        if history.child_id in changed_ids:
            by_role = ongoing if history.role == "key" else secondary
            by_role[history.child_id].append(history)
    had_key_worker = set(
        session.scalars(
            select(KeyWorkerHistory.child_id)
            .where(KeyWorkerHistory.role == "key", KeyWorkerHistory.start_date < today)
            .distinct()
        )
    )
    workers_by_id = {v: k for k, v in worker_ids.items()}
    new_history: list[dict[str, Any]] = []
    for row in changes:
        assert row.key_worker is not None
        child_id = child_ids[row.ref]
        worker_id = worker_ids[row.key_worker]
        rows = ongoing.get(child_id, [])
        current = next((h for h in rows if h.start_date <= today), None)
        if current is not None and current.worker_id == worker_id:
            continue  # already the key worker today: nothing changes
        # The old key worker's relationship ends; so does the new one's as secondary
        # worker, as nobody is a child's key and secondary worker at once.
        ending = rows + [h for h in secondary.get(child_id, []) if h.worker_id == worker_id]
        for history in ending:
            if history.start_date >= today:
                session.delete(history)  # it had not begun yet: nothing to keep
            else:
                history.end_date = today - timedelta(days=1)
        first = current is None and child_id not in had_key_worker
        start = today
        if first and row.key_worker_since is not None:
            start = row.key_worker_since
        reason = None if first else REASON
        new_history.append(
            {
                "child_id": child_id,
                "worker_id": worker_id,
                "role": "key",
                "start_date": start,
                "end_date": None,
                "reason": reason,
                "source": "import",
                "recorded_at": now,
            }
        )
        if reason is not None:
            old_ref = workers_by_id.get(current.worker_id) if current else None
            audit.record(
                session,
                actor=actor,
                action="import.key_worker",
                at=now,
                child=row.ref,
                old=old_ref or last_imported.get(row.ref),
                new=row.key_worker,
                reason=reason,
            )
    session.flush()
    if new_history:
        session.execute(insert(_history_table()), new_history)


def _history_table() -> Table:
    table = KeyWorkerHistory.__table__
    assert isinstance(table, Table)
    return table

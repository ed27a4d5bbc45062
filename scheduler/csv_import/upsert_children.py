"""children.csv: insert and update the children, replace their windows, and apply what
the case record says about their key worker (where no pin says otherwise)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, select, update

from scheduler.csv_import import rows as r
from scheduler.csv_import.bulk import insert_and_update, windows_by_owner, write_windows
from scheduler.csv_import.case_record import apply_key_worker_changes
from scheduler.csv_import.exclusions import record_excluded_key_workers
from scheduler.csv_import.fields import AvailabilityEntry
from scheduler.csv_import.results import FileCounts
from scheduler.csv_import.state import ImportState
from scheduler.models import Child, ChildWindow
from scheduler.models import Session as PlanSession

# what a worker's feed shows of a child: the initials, and the place where set to
FEED_FIELDS = ("initials", "lat", "lon")


def upsert_children(state: ImportState) -> None:
    counts = state.report.files.setdefault("children.csv", FileCounts())
    existing = {row.ref: row for row in state.s.execute(select(Child.__table__)).mappings().all()}
    windows = windows_by_owner(state.s, ChildWindow, "child_id")
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[dict[str, Any]] = []
    replace_windows: dict[str, tuple[AvailabilityEntry, ...]] = {}
    key_changes: list[r.ChildRow] = []
    shown_changed: list[int] = []  # children whose events in the feeds now read differently
    for c in state.p.children:
        values: dict[str, Any] = {
            "ref": c.ref,
            "initials": c.initials,
            "team": c.team,
            "required_skills": c.required_skills,
            "language": c.language,
            "preferred_gender": c.preferred_gender,
            "preferred_workers": c.preferred_workers,
            "excluded_workers": c.excluded_workers,
            "lat": c.lat,
            "lon": c.lon,
            "risk": c.risk,
        }
        old = existing.get(c.ref)
        if old is None:
            values["case_key_worker"] = c.key_worker
            values["case_key_worker_since"] = c.key_worker_since
            new_rows.append(values)
            replace_windows[c.ref] = c.windows
            counts.created += 1
            if c.key_worker:
                key_changes.append(c)
            continue
        values = state.given("children.csv", c.line, values, old)
        differs = any(old[k] != v for k, v in values.items())
        if any(k in values and old[k] != values[k] for k in FEED_FIELDS):
            shown_changed.append(old["id"])
        conflict = pinned_worker_wins(c, old, state.worker_ids)
        if conflict is not None:
            state.report.notes.append(conflict)
        elif c.key_worker != old["case_key_worker"] and c.key_worker is not None:
            values["case_key_worker"] = c.key_worker
            values["case_key_worker_since"] = c.key_worker_since
            key_changes.append(c)
            differs = True
        # An empty key_worker cell is "not given": the value imported last time stays,
        # so an old export imported after a blank one still undoes nothing.
        if state.replaces_windows("children.csv", c.line, windows.get(old["id"], ()), c.windows):
            replace_windows[c.ref] = c.windows
            differs = True
        if differs:
            changed_rows.append({"id": old["id"], **values})
            counts.updated += 1
        else:
            counts.unchanged += 1
    insert_and_update(state.s, Child, new_rows, changed_rows, state.child_ids)
    write_windows(state.s, ChildWindow, "child_id", replace_windows, state.child_ids)
    if shown_changed:  # SEQUENCE is raised whenever an event changes (calendar clients)
        state.s.execute(
            update(PlanSession)
            .where(PlanSession.child_id.in_(shown_changed), PlanSession.removed_in.is_(None))
            .values(sequence=PlanSession.sequence + 1)
        )
    apply_key_worker_changes(
        state.s,
        key_changes,
        child_ids=state.child_ids,
        worker_ids=state.worker_ids,
        last_imported={ref: row["case_key_worker"] for ref, row in existing.items()},
        today=state.today,
        now=state.now,
        actor=state.actor,
    )
    refs = {id_: ref for ref, id_ in state.worker_ids.items()}
    record_excluded_key_workers(
        state.s,
        state.p.children,
        excluded_before={ref: row["excluded_workers"] for ref, row in existing.items()},
        pinned={
            ref: refs[row["pinned_worker_id"]]
            for ref, row in existing.items()
            if row["pinned_worker_id"] is not None
        },
        child_ids=state.child_ids,
        worker_ids=state.worker_ids,
        today=state.today,
        now=state.now,
        actor=state.actor,
        notes=state.report.notes,
    )


def pinned_worker_wins(
    child: r.ChildRow, old: RowMapping, worker_ids: dict[str, int]
) -> str | None:
    """The note to give when the case record names a new key worker for a child pinned
    to someone else, else None.

    A pin wins. The case record's value is not taken as imported, so the conflict is
    reported again on every import until the child is unpinned, and the first import
    after that applies it.
    """
    pin = old["pinned_worker_id"]
    if (
        child.key_worker != old["case_key_worker"]
        and child.key_worker is not None
        and pin is not None
        and pin != worker_ids[child.key_worker]
    ):
        pinned_ref = next(ref for ref, id_ in worker_ids.items() if id_ == pin)
        return (
            f"children.csv:{child.line}: the case record names {child.key_worker} as key "
            f"worker of {child.ref}, but {child.ref} is pinned to {pinned_ref}; the pinned "
            "worker stays (unpin, then import again, to accept the case record)"
        )
    return None

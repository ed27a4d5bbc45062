"""workers.csv: insert the new workers, update the changed ones, replace their windows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from scheduler.csv_import.bulk import insert_and_update, windows_by_owner, write_windows
from scheduler.csv_import.fields import AvailabilityEntry
from scheduler.csv_import.results import FileCounts
from scheduler.csv_import.state import ImportState
from scheduler.models import Worker, WorkerWindow


def upsert_workers(state: ImportState) -> None:
    counts = state.report.files.setdefault("workers.csv", FileCounts())
    existing = {row.ref: row for row in state.s.execute(select(Worker.__table__)).mappings().all()}
    windows = windows_by_owner(state.s, WorkerWindow, "worker_id")
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[dict[str, Any]] = []
    replace_windows: dict[str, tuple[AvailabilityEntry, ...]] = {}
    for w in state.p.workers:
        values: dict[str, Any] = {
            "ref": w.ref,
            "name": w.name,
            "email": w.email,
            "team": w.team,
            "hours_per_week": w.hours_per_week,
            "max_caseload": w.max_caseload,
            "skills": w.skills,
            "languages": w.languages,
            "gender": w.gender,
            "lat": w.lat,
            "lon": w.lon,
            "start_date": w.start_date,
            "end_date": w.end_date,
        }
        old = existing.get(w.ref)
        if old is None:
            new_rows.append(values)
            replace_windows[w.ref] = w.windows
            counts.created += 1
            continue
        values = state.given("workers.csv", w.line, values, old)
        differs = any(old[k] != v for k, v in values.items())
        if state.replaces_windows("workers.csv", w.line, windows.get(old["id"], ()), w.windows):
            replace_windows[w.ref] = w.windows
            differs = True
        if differs:
            changed_rows.append({"id": old["id"], **values})
            counts.updated += 1
        else:
            counts.unchanged += 1
    insert_and_update(state.s, Worker, new_rows, changed_rows, state.worker_ids)
    write_windows(state.s, WorkerWindow, "worker_id", replace_windows, state.worker_ids)

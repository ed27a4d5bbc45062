"""absences.csv: upsert each absence by (worker, start_date)."""

from __future__ import annotations

from scheduler.csv_import.state import ImportState
from scheduler.models import Absence


def upsert_absences(state: ImportState) -> None:
    """Upsert by (worker, start_date)."""
    rows = [
        (
            a.line,
            {
                "worker_id": state.worker_ids[a.worker],
                "start_date": a.start_date,
                "end_date": a.end_date,
                "kind": a.kind,
                "note": a.note,
            },
        )
        for a in state.p.absences
    ]
    state.upsert_keyed("absences.csv", Absence, ("worker_id", "start_date"), rows)

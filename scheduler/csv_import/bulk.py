"""Bulk statements: Core INSERT executemany and UPDATE by primary key, no ORM per row.

A 50,000-row file takes seconds, not minutes (bench/IMPORT.md).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Insert, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from scheduler.csv_import.fields import AvailabilityEntry
from scheduler.models import Base, Child, ChildWindow, Worker, WorkerWindow


def table_of(model: type[Base]) -> Table:
    """The model's Core table: reading and writing through it skips the ORM's per-row work."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def core_insert(model: type[Base]) -> Insert:
    """A Core INSERT of the model's table: executemany, no ORM bookkeeping per row."""
    return insert(table_of(model))


def insert_and_update(
    session: Session,
    model: type[Worker] | type[Child],
    new_rows: list[dict[str, Any]],
    changed_rows: list[dict[str, Any]],
    ids: dict[str, int],
) -> None:
    if new_rows:
        # Core executemany, then one query for the new ids: the ORM's bulk INSERT ..
        # RETURNING spliced each row's result into the last (quadratic: 50,000 rows took
        # minutes).
        session.execute(core_insert(model), new_rows)
        table = table_of(model)
        ids.update(session.execute(select(table.c.ref, table.c.id)).tuples().all())
    if changed_rows:
        session.execute(update(model), changed_rows)


def write_windows(
    session: Session,
    model: type[WorkerWindow] | type[ChildWindow],
    owner_column: str,
    replace: dict[str, tuple[AvailabilityEntry, ...]],
    ids: dict[str, int],
) -> None:
    if not replace:
        return
    owner_ids = [ids[ref] for ref in replace]
    column = getattr(model, owner_column)
    for chunk in chunks(owner_ids, 5000):
        session.execute(delete(model).where(column.in_(chunk)))
    rows = [
        {
            owner_column: ids[ref],
            "weekday": w.weekday,
            "start_minute": w.start_minute,
            "end_minute": w.end_minute,
        }
        for ref, windows in replace.items()
        for w in windows
    ]
    if rows:
        session.execute(core_insert(model), rows)


def windows_by_owner(
    session: Session, model: type[WorkerWindow] | type[ChildWindow], owner_column: str
) -> dict[int, tuple[AvailabilityEntry, ...]]:
    out: dict[int, list[AvailabilityEntry]] = defaultdict(list)
    c = table_of(model).c
    column = c[owner_column]
    for owner, day, start, end in session.execute(
        select(column, c.weekday, c.start_minute, c.end_minute).order_by(
            column, c.weekday, c.start_minute
        )
    ).tuples():
        out[owner].append(AvailabilityEntry(day, start, end))
    return {k: tuple(v) for k, v in out.items()}


def chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]

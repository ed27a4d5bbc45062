"""Reading and checking the input files on their own, before the database is consulted.

Every error is collected. Duplicates are told by the cells as written; the refs each
row defines and mentions are kept, including rows with errors, so that one bad cell
does not also make every mention of its row's ref "unknown".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scheduler.csv_import import rows as r
from scheduler.csv_import.fields import BadValue
from scheduler.csv_import.fields import ref as parse_ref
from scheduler.csv_import.reader import RawRow
from scheduler.csv_import.workbook import Source, read_rows
from scheduler.errors import InputError


@dataclass
class Parsed:
    workers: list[r.WorkerRow] = field(default_factory=list)
    children: list[r.ChildRow] = field(default_factory=list)
    plans: list[r.PlanRow] = field(default_factory=list)
    absences: list[r.AbsenceRow] = field(default_factory=list)
    closures: list[r.ClosureRow] = field(default_factory=list)
    present: set[str] = field(default_factory=set)
    # Refs named by any row of workers.csv / children.csv, including rows with errors, so a
    # bad cell elsewhere in a row does not also make every mention of its ref "unknown".
    worker_refs: set[str] = field(default_factory=set)
    child_refs: set[str] = field(default_factory=set)
    # Team names of workers.csv / children.csv rows (with errors too): closures.csv's teams.
    teams: set[str] = field(default_factory=set)
    # Every mention of a worker or child in another file: (kind, file, line, column, ref).
    mentions: list[tuple[str, str, int, str, str]] = field(default_factory=list)
    # The columns each file has: a column it lacks leaves the stored values as they are.
    columns: dict[str, frozenset[str]] = field(default_factory=dict)
    # (file, line) -> the columns whose cell is empty on that line ("not given": clears).
    empty_cells: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)


def parse_all(files: dict[str, Source], errors: list[InputError]) -> Parsed:
    parsed = Parsed(present=set(files))
    specs: list[tuple[str, tuple[str, ...], tuple[str, ...], Callable[..., Any], list[Any]]] = [
        ("workers.csv", r.WORKER_COLUMNS, r.WORKER_REQUIRED, r.parse_worker, parsed.workers),
        ("children.csv", r.CHILD_COLUMNS, r.CHILD_REQUIRED, r.parse_child, parsed.children),
        ("plans.csv", r.PLAN_COLUMNS, r.PLAN_REQUIRED, r.parse_plan, parsed.plans),
        ("absences.csv", r.ABSENCE_COLUMNS, r.ABSENCE_REQUIRED, r.parse_absence, parsed.absences),
        ("closures.csv", r.CLOSURE_COLUMNS, r.CLOSURE_REQUIRED, r.parse_closure, parsed.closures),
    ]
    for name, columns, required, parse, out in specs:
        if name not in files:
            continue
        table = read_rows(files[name], columns, required, errors)
        parsed.columns[name] = frozenset(table.columns)
        key_columns = _UNIQUE.get(name, ())
        first: dict[tuple[str, ...], int] = {}
        raw: RawRow
        for raw in table.rows:
            empty = frozenset(column for column, text in raw.values.items() if not text)
            if empty:
                parsed.empty_cells[(name, raw.line)] = empty
            row = parse(name, raw, errors)
            # Duplicates are told by the cells as written, so a bad cell in the first of
            # two rows does not hide the duplicate (reported on the later line).
            key = tuple(raw.values.get(c, "") for c in key_columns)
            pairs = zip(key_columns, key, strict=True)
            keyed = bool(key_columns) and all(v or c in _MAY_BE_EMPTY for c, v in pairs)
            if keyed and key in first:
                errors.append(_duplicate(name, raw, key_columns, first[key]))
                row = None
            elif keyed:
                first[key] = raw.line
            if row is None:
                _note_raw_refs(name, raw, parsed)
            else:
                out.append(row)
                _note_refs(row, parsed)
    return parsed


# The columns that identify a row of a file (plans are checked by ``merge_plans``).
_UNIQUE = {
    "workers.csv": ("ref",),
    "children.csv": ("ref",),
    "absences.csv": ("worker", "start_date"),
    # an empty team is every team: (every team, 2026-12-24) is a key like any other
    "closures.csv": ("team", "start_date"),
}
_MAY_BE_EMPTY = {"team"}


def _duplicate(file: str, raw: RawRow, key_columns: tuple[str, ...], first: int) -> InputError:
    column = key_columns[-1]
    value = raw.values[column]
    if file == "absences.csv":
        message = f"{raw.values['worker']} already has an absence starting {value} on line {first}"
    elif file == "closures.csv":
        team = raw.values["team"] or "every team"
        message = f"{team} already has a closure starting {value} on line {first}"
    else:
        message = f"duplicate ref: {value} is already on line {first}"
    return InputError(file, raw.line, column, value, message)


_MENTIONS = {
    "children.csv": (
        ("worker", "key_worker"),
        ("worker", "preferred_workers"),
        ("worker", "excluded_workers"),
    ),
    "plans.csv": (("child", "child"),),
    "absences.csv": (("worker", "worker"),),
}


def _note_refs(row: object, parsed: Parsed) -> None:
    """The refs a clean row defines and mentions (as ``_note_raw_refs``, from typed rows)."""
    if isinstance(row, r.WorkerRow):
        parsed.worker_refs.add(row.ref)
        parsed.teams.add(row.team)
    elif isinstance(row, r.ChildRow):
        parsed.child_refs.add(row.ref)
        parsed.teams.add(row.team)
        mentions = parsed.mentions
        if row.key_worker:
            mentions.append(("worker", "children.csv", row.line, "key_worker", row.key_worker))
        for ref in row.preferred_workers:
            mentions.append(("worker", "children.csv", row.line, "preferred_workers", ref))
        for ref in row.excluded_workers:
            mentions.append(("worker", "children.csv", row.line, "excluded_workers", ref))
    elif isinstance(row, r.PlanRow):
        parsed.mentions.append(("child", "plans.csv", row.line, "child", row.child))
    elif isinstance(row, r.AbsenceRow):
        parsed.mentions.append(("worker", "absences.csv", row.line, "worker", row.worker))


def _note_raw_refs(file: str, raw: RawRow, parsed: Parsed) -> None:
    """The refs a row with errors defines and mentions, read from its cells as they are."""
    if file == "workers.csv":
        parsed.worker_refs.add(raw.values.get("ref", ""))
        parsed.teams.add(raw.values.get("team", ""))
    elif file == "children.csv":
        parsed.child_refs.add(raw.values.get("ref", ""))
        parsed.teams.add(raw.values.get("team", ""))
    for kind, column in _MENTIONS.get(file, ()):
        for part in raw.values.get(column, "").split(";"):
            ref = part.strip()
            if ref and _is_ref(ref):
                parsed.mentions.append((kind, file, raw.line, column, ref))


def _is_ref(text: str) -> bool:
    try:
        parse_ref(text)
    except BadValue:
        return False
    return True

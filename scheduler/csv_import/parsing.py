"""Reading and checking the input files on their own, before the database is consulted.

Every error is collected. Duplicates are told by the cells as written. The refs each
clean row defines are kept, and so are those of rows that failed, with the error they
failed by (their ``Cause``): a mention of such a ref elsewhere is an error only because
of that one, and is counted under it rather than listed as "unknown".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scheduler.csv_import import rows as r
from scheduler.csv_import.fields import BadValue
from scheduler.csv_import.fields import ref as parse_ref
from scheduler.csv_import.reader import CsvTable, RawRow
from scheduler.csv_import.workbook import Source, read_rows
from scheduler.errors import Cause, InputError

# What a row of each file adds, as its refs are named in mentions and causes.
DEFINES = {"workers.csv": "worker", "children.csv": "child"}


@dataclass
class Parsed:
    workers: list[r.WorkerRow] = field(default_factory=list)
    children: list[r.ChildRow] = field(default_factory=list)
    plans: list[r.PlanRow] = field(default_factory=list)
    absences: list[r.AbsenceRow] = field(default_factory=list)
    closures: list[r.ClosureRow] = field(default_factory=list)
    present: set[str] = field(default_factory=set)
    # Refs of the clean rows of workers.csv / children.csv.
    worker_refs: set[str] = field(default_factory=set)
    child_refs: set[str] = field(default_factory=set)
    # kind ("worker", "child") -> ref -> the error its row failed by (the first such row).
    failed: dict[str, dict[str, Cause]] = field(default_factory=dict)
    # kind ("worker", "child", "team") -> the error that left a file's rows unread without
    # telling which refs (or teams) they held: any unknown one may be among them.
    unreadable: dict[str, Cause] = field(default_factory=dict)
    # Team names of workers.csv / children.csv rows (with errors too): closures.csv's teams.
    teams: set[str] = field(default_factory=set)
    # Every mention of a worker or child in another file: (kind, file, line, column, ref).
    mentions: list[tuple[str, str, int, str, str]] = field(default_factory=list)
    # The columns each file has: a column it lacks leaves the stored values as they are.
    columns: dict[str, frozenset[str]] = field(default_factory=dict)
    # (file, line) -> the columns whose cell is empty on that line ("not given": clears).
    empty_cells: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)

    def cause(self, kind: str, ref: str) -> Cause | None:
        """Why ``ref``, known neither stored nor from a clean row, is missing: its row
        failed, or a file that may hold it could not be read; None: it is named nowhere."""
        return self.failed.get(kind, {}).get(ref) or self.unreadable.get(kind)


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
        _note_unread(name, table, parsed)
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
                _note_raw_refs(name, raw, parsed, _row_cause(name, raw.line))
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


def unknown_ref(
    kind: str, ref: str, cause: Cause | None, *, file: str, line: int, column: str
) -> InputError:
    """ "No worker with this ref": an error of its own, or (``cause``) one that follows only
    from the failed row, or the unreadable file, that would have added the ref."""
    if cause is None:
        return InputError(file, line, column, ref, f"no {kind} with this ref")
    if cause.what == "file":
        why = f"{cause.file} could not be read"
    else:
        why = "the row that adds it failed"
    message = f"no {kind} with this ref is stored, and {why}"
    return InputError(file, line, column, ref, message, caused_by=cause)


def _row_cause(file: str, line: int) -> Cause:
    return Cause(file, line, DEFINES.get(file, "row"))


def _note_unread(file: str, table: CsvTable, parsed: Parsed) -> None:
    """The refs and teams of rows that could not be checked (``CsvTable.unread``)."""
    kind = DEFINES.get(file)
    if kind is None:
        return  # the other files' rows add nothing that is named elsewhere
    for raw in table.unread:
        if table.unread_because is None:
            cause = _row_cause(file, raw.line)
        else:
            cause = Cause(file, table.unread_because, "file")
        _note_defined(file, raw, parsed, cause)
        if table.unread_because is not None:
            for column, what in (("ref", kind), ("team", "team")):
                if column not in raw.values:  # the file's column could not be told
                    parsed.unreadable.setdefault(what, cause)


def _note_defined(file: str, raw: RawRow, parsed: Parsed, cause: Cause) -> None:
    """The ref and team a failed row of workers.csv or children.csv meant to add."""
    kind = DEFINES.get(file)
    if kind is None:
        return
    ref = raw.values.get("ref", "")
    if ref and _is_ref(ref):
        parsed.failed.setdefault(kind, {}).setdefault(ref, cause)
    team = raw.values.get("team", "")
    if team:
        parsed.teams.add(team)


def _note_raw_refs(file: str, raw: RawRow, parsed: Parsed, cause: Cause) -> None:
    """The refs a row with errors defines and mentions, read from its cells as they are."""
    _note_defined(file, raw, parsed, cause)
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

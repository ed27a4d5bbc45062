"""Reading ``.xlsx`` sheets as the CSV files are read: same rows, same checks, same errors.

A workbook either holds sheets named after the files (``workers``, ``children``,
``plans``, ``absences``, ``closures``, ``sessions``) or is itself named after one
file (``children.xlsx``: its only sheet, or the one named ``children``). Cells are
read with python-calamine (a maintained Rust reader) and turned into the text a
CSV file would hold: whole numbers without ``.0``, dates as ISO dates, times as
``HH:MM``. Errors name the file, the sheet and the cell (``children.xlsx:children!K14``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scheduler.csv_import.header import check_header
from scheduler.csv_import.reader import CsvTable, RawRow, read_table
from scheduler.errors import Cause, InputError

SHEET_FILES = {
    "workers": "workers.csv",
    "children": "children.csv",
    "plans": "plans.csv",
    "absences": "absences.csv",
    "closures": "closures.csv",
    "sessions": "sessions.csv",
}


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet of one workbook, read as the CSV file ``file``."""

    path: Path
    name: str
    file: str  # the CSV file it stands for, e.g. "children.csv"

    @property
    def label(self) -> str:
        return f"{self.path.name}:{self.name}"


def sheets_of(path: Path) -> list[Sheet]:
    """The sheets of ``path`` that stand for input files (see the module docstring)."""
    from python_calamine import CalamineError, CalamineWorkbook  # noqa: PLC0415 - xlsx only

    try:
        names = list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except (CalamineError, OSError, ValueError) as exc:
        raise WorkbookUnreadable(path, str(exc)) from exc
    own = SHEET_FILES.get(path.stem.lower())
    if own is not None:
        match = [n for n in names if n.strip().lower() == path.stem.lower()]
        if match:
            return [Sheet(path, match[0], own)]
        if len(names) == 1:
            return [Sheet(path, names[0], own)]
        raise WorkbookUnreadable(
            path, f"has {len(names)} sheets and none is named {path.stem.lower()!r}"
        )
    found = [
        Sheet(path, n, SHEET_FILES[n.strip().lower()])
        for n in names
        if n.strip().lower() in SHEET_FILES
    ]
    if not found:
        raise WorkbookUnreadable(
            path, f"has no sheet named {', '.join(SHEET_FILES)} (its sheets: {', '.join(names)})"
        )
    return found


Source = Path | Sheet  # where one input file's rows come from


def read_rows(
    source: Source, known: tuple[str, ...], required: tuple[str, ...], errors: list[InputError]
) -> CsvTable:
    """A CSV file's or a workbook sheet's rows, checked the same way."""
    if isinstance(source, Sheet):
        return read_sheet(source, known, required, errors)
    return read_table(source, known, required, errors)


def sheet_header(sheet: Sheet) -> tuple[str, ...]:
    """The sheet's header row as read (for naming cells in errors)."""
    return read_sheet(sheet, (), (), []).columns


class WorkbookUnreadable(ValueError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value).strip()


def read_sheet(
    sheet: Sheet, known: tuple[str, ...], required: tuple[str, ...], errors: list[InputError]
) -> CsvTable:
    """Read ``sheet`` into rows numbered as the spreadsheet numbers them (header: 1)."""
    from python_calamine import CalamineError, CalamineWorkbook  # noqa: PLC0415 - xlsx only

    label = sheet.file
    try:
        grid = CalamineWorkbook.from_path(str(sheet.path)).get_sheet_by_name(sheet.name)
        cells = grid.to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError) as exc:
        errors.append(InputError(label, 1, "", "", f"cannot be read: {exc}"))
        return CsvTable(label, (), ())
    if not cells or not any(_text(v) for v in cells[0]):
        errors.append(InputError(label, 1, "", "", "the sheet is empty; a header row is needed"))
        return CsvTable(label, (), ())
    header = [_text(v) for v in cells[0]]
    while header and not header[-1]:
        header.pop()
    columns = tuple(header)
    checked = check_header(label, columns, known, required, errors)
    rows: list[RawRow] = []
    unread: list[RawRow] = []  # see ``CsvTable.unread``
    for number, raw in enumerate(cells[1:], start=2):
        values = [_text(v) for v in raw]
        if not any(values):
            continue
        values += [""] * (len(columns) - len(values))
        if not checked.ok:
            unread.append(RawRow(number, dict(zip(checked.names, values, strict=False))))
            continue
        extra = [v for v in values[len(columns) :] if v]
        if extra:
            errors.append(
                InputError(label, number, "", extra[0], "has a cell outside the header's columns")
            )
            unread.append(RawRow(number, dict(zip(columns, values, strict=False))))
            continue
        rows.append(RawRow(number, dict(zip(columns, values[: len(columns)], strict=True))))
    return CsvTable(label, columns, tuple(rows), tuple(unread), None if checked.ok else 1)


def locate(error: InputError, sheet: Sheet, columns: tuple[str, ...]) -> InputError:
    """``error`` of the CSV file a sheet stands for, named by workbook, sheet and cell."""
    if error.column in columns:
        cell = f"{column_letter(columns.index(error.column))}{error.line}"
    else:
        cell = f"A{error.line}" if error.line > 1 else "1:1"
    return replace(error, file=f"{sheet.label}!{cell}", located=True)


def locate_cause(cause: Cause, sheet: Sheet) -> Cause:
    """``cause`` in the CSV file a sheet stands for, named by workbook and sheet."""
    return replace(cause, file=sheet.label, located=True)

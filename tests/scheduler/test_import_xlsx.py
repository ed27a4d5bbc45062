"""Issue 13: .xlsx workbooks import with the CSV files' rules; errors name file, sheet, cell.

The workbooks are written with xlsxwriter the way a spreadsheet saves them: whole
numbers as numbers, dates as date cells, a time as a time cell.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pytest
import xlsxwriter

from scheduler.db import Database
from scheduler.errors import ConfigError
from tests.factories import (
    dump_tables,
    import_errors,
    make_child,
    run_import,
    small_team,
    without_audit,
    write_files,
)

SHEETS = ("workers", "children", "plans", "absences")


def _typed(text: str) -> object:
    """A cell as a spreadsheet would hold it after typing ``text``."""
    if text.isdigit() and not text.startswith("0"):
        return int(text)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    number = text.replace(".", "", 1).removeprefix("-")
    return float(text) if "." in text and number.isdigit() else text


def _write_sheet(book: xlsxwriter.Workbook, name: str, rows: list[list[str]]) -> None:
    sheet = book.add_worksheet(name)
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            value = text if r == 0 else _typed(text)
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, dates)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value:
                sheet.write_string(r, c, str(value))


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def workbook(path: Path, csv_dir: Path, names: Iterable[str] = SHEETS) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name in names:
        _write_sheet(book, name, _csv_rows(csv_dir / f"{name}.csv"))
    book.close()
    return path


def test_a_workbook_imports_exactly_as_the_csv_files_do(database: Database, tmp_path: Path) -> None:
    team = small_team(tmp_path / "csv")
    run_import(database, team)
    from_csv = without_audit(dump_tables(database))
    # the same rows from a workbook change nothing: every cell was read as the CSV's
    report = run_import(database, workbook(tmp_path / "team.xlsx", team))
    assert without_audit(dump_tables(database)) == from_csv
    assert all(c.created == 0 and c.updated == 0 for c in report.files.values())


def test_one_workbook_per_file_and_a_folder_of_workbooks(
    database: Database, tmp_path: Path
) -> None:
    team = small_team(tmp_path / "csv")
    folder = tmp_path / "books"
    folder.mkdir()
    for name in SHEETS:
        workbook(folder / f"{name}.xlsx", team, [name])
    (folder / "~$children.xlsx").write_bytes(b"lock file of an open spreadsheet")
    report = run_import(database, folder)
    assert {n: c.created for n, c in report.files.items()} == {
        "workers.csv": 3, "children.csv": 3, "plans.csv": 3, "absences.csv": 2,
    }  # fmt: skip


def test_errors_name_the_workbook_sheet_and_cell(database: Database, tmp_path: Path) -> None:
    team = small_team(tmp_path / "csv")
    write_files(
        team,
        children=[
            make_child(),
            make_child(ref="YP-0002", risk="extreme"),
            make_child(ref="YP-0003", team=""),
        ],
    )
    book = workbook(tmp_path / "team.xlsx", team)
    errors = import_errors(database, book)
    header = _csv_rows(team / "children.csv")[0]
    risk = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index("risk")]
    shown = [str(e) for e in errors]
    assert any(s.startswith(f"team.xlsx:children!{risk}3: column 'risk'") for s in shown), shown
    assert any("team.xlsx:children!" in s and "column 'team'" in s for s in shown), shown


def test_a_workbook_without_input_sheets_is_refused(database: Database, tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "notes.xlsx"))
    book.add_worksheet("Sheet1").write(0, 0, "hello")
    book.close()
    with pytest.raises(ConfigError, match="has no sheet named workers, children"):
        run_import(database, tmp_path / "notes.xlsx")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(ConfigError, match=r"broken\.xlsx"):
        run_import(database, tmp_path / "broken.xlsx")

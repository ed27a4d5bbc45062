"""Which files to import: a directory's CSV files and workbooks, or files named one by one."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scheduler.csv_import.workbook import Sheet, Source, WorkbookUnreadable, sheets_of
from scheduler.errors import ConfigError

FILE_NAMES = (
    "workers.csv",
    "children.csv",
    "plans.csv",
    "absences.csv",
    "closures.csv",
    "sessions.csv",
)


def find_files(paths: Sequence[Path]) -> dict[str, Source]:
    """Map file names to paths (or workbook sheets) from a directory or explicit files.

    A directory gives its CSV files by name and every ``.xlsx`` workbook in it;
    a workbook gives the sheets named after the files, or is itself named after one
    (``children.xlsx``). Other names are refused, and so is a file given twice.
    """
    found: dict[str, Source] = {}

    def add(name: str, source: Source) -> None:
        if name in found:
            raise ConfigError(f"{_where(source)}: {name} given twice (also {_where(found[name])})")
        found[name] = source

    def add_workbook(path: Path) -> None:
        try:
            sheets = sheets_of(path)
        except WorkbookUnreadable as exc:
            raise ConfigError(str(exc)) from exc
        for sheet in sheets:
            add(sheet.file, sheet)

    for path in paths:
        if path.is_dir():
            for name in FILE_NAMES:
                if (path / name).is_file():
                    add(name, path / name)
            for workbook in sorted(path.glob("*.xlsx")):
                if not workbook.name.startswith("~$"):  # a spreadsheet's lock file
                    add_workbook(workbook)
        elif path.is_file():
            if path.suffix.lower() == ".xlsx":
                add_workbook(path)
                continue
            if path.name not in FILE_NAMES:
                raise ConfigError(
                    f"{path}: files to import must be named {', '.join(FILE_NAMES)}, "
                    "or be .xlsx workbooks"
                )
            add(path.name, path)
        else:
            raise ConfigError(f"{path}: no such file or directory")
    if not found:
        raise ConfigError(
            f"nothing to import: none of {', '.join(FILE_NAMES)} found in "
            + ", ".join(str(p) for p in paths)
        )
    return found


def _where(source: Source) -> str:
    return source.label if isinstance(source, Sheet) else str(source)

"""CSV import as SPEC "Input files" and "Import rules" describe."""

from __future__ import annotations

from scheduler.csv_import.importer import FILE_NAMES, FileCounts, ImportReport, import_files

__all__ = ["FILE_NAMES", "FileCounts", "ImportReport", "import_files"]

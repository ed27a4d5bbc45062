"""CSV import as SPEC "Input files" and "Import rules" describe."""

from __future__ import annotations

from scheduler.csv_import.files import FILE_NAMES
from scheduler.csv_import.importer import import_files
from scheduler.csv_import.results import FileCounts, ImportReport

__all__ = ["FILE_NAMES", "FileCounts", "ImportReport", "import_files"]

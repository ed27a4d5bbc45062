"""What an import did, file by file: rows created, updated and unchanged, and notes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FileCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    files: dict[str, FileCounts] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    # file -> column -> how many stored values an empty cell cleared (or reset to the
    # default): an exclusion or a fortnightly plan should never vanish unannounced
    cleared: dict[str, dict[str, int]] = field(default_factory=dict)

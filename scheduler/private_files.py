"""Files that hold children's data are created readable by their owner only.

The SQLite database (and with it SQLite's ``-wal`` and ``-shm`` files, which SQLite
creates with the database file's permissions), exported calendars, plan exports and
reports: mode 0600 whatever the umask, never widened. A file that already exists
keeps the mode its owner gave it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

OWNER_ONLY = 0o600
OWNER_ONLY_DIR = 0o700


def open_private(path: Path, *, newline: str | None = None) -> TextIO:
    """``path`` opened for writing UTF-8 text, created 0600 if new (truncated if not)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY)
    return os.fdopen(descriptor, "w", encoding="utf-8", newline=newline)


def write_private_bytes(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def write_private(path: Path, text: str) -> None:
    with open_private(path) as handle:
        handle.write(text)


def sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite URL (``sqlite:///keyworker.db``); None for another backend,
    an in-memory database, a URI filename (SQLite resolves those itself) or a URL the
    engine will report as bad."""
    if not database_url.startswith("sqlite"):
        return None
    try:
        url = make_url(database_url)
    except ArgumentError:
        return None
    name = url.database
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    if name.startswith("file:") or url.query.get("uri"):
        return None
    return Path(name)


def create_sqlite_file(database_url: str) -> None:
    """Create the SQLite file of ``database_url`` empty and owner-only if it is missing.

    An empty file is a valid, empty SQLite database; SQLite would otherwise create it
    on first connect with the umask's mode (0644: readable by every local user).
    """
    path = sqlite_file(database_url)
    if path is None:
        return
    if not path.parent.is_dir():
        return  # SQLite reports the missing folder itself
    with contextlib.suppress(FileExistsError):  # then it keeps the mode it has
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))

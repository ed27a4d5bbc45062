"""``keyworker calendars export DIR``: one ``REF.ics`` per worker, for teams without a server.

The files are the feeds the server would send at ``now`` (the window is 14 days
before ``now`` to the end of the current plan), written atomically so a calendar
client or a sync tool never reads half a file, and owner-only (0600; a new folder
0700): they hold children's initials and sessions. Whoever shares them with a sync
tool or a web server grants that access on purpose.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from calendars.snapshot import render_feeds
from scheduler.settings import Settings

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def export_calendars(
    session: Session, directory: Path, *, now: datetime, settings: Settings
) -> list[Path]:
    """Write every worker's feed to ``directory/REF.ics``; returns the paths written."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    written: list[Path] = []
    for feed in render_feeds(session, now=now, settings=settings, teams=False):
        ref = feed.owner.removeprefix("worker:")
        path = directory / f"{file_name(ref)}.ics"
        _write_atomically(path, feed.body)
        written.append(path)
    return written


def file_name(ref: str) -> str:
    """A worker ref made safe as a file name (refs are normally already safe)."""
    name = _UNSAFE.sub("_", ref)
    return "_" + name if name.startswith(".") or not name else name


def _write_atomically(path: Path, body: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".ics.tmp")
    try:
        with os.fdopen(handle, "wb") as stream:  # mkstemp: owner-only (0600)
            stream.write(body)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

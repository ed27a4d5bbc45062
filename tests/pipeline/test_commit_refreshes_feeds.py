"""A commit refreshes the stored feeds in the same transaction; export writes them out."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import select

from scheduler.db import Database
from scheduler.models import FeedCache
from tests.pipeline.conftest import Run
from tests.pipeline.team import AS_OF, START


def test_commit_refreshes_feeds_and_export_matches_plan(
    kw: Run, team: Path, database: Database, tmp_path: Path
) -> None:
    kw("import", str(team))
    out = tmp_path / "plan.json"
    kw("plan", "--as-of", AS_OF, "--start", START, "--weeks", "2", "--commit", "--json", str(out))
    plan = json.loads(out.read_text())
    with database.reading() as session:
        owners = set(session.scalars(select(FeedCache.owner)))
    assert {"worker:W001", "worker:W002", "worker:W003"} <= owners
    export = tmp_path / "ics"
    kw("calendars", "export", str(export), "--as-of", AS_OF)
    for worker in ("W001", "W002", "W003"):
        calendar = Calendar.from_ical((export / f"{worker}.ics").read_bytes())
        events = recurring_ical_events.of(calendar).between(date(2026, 12, 1), date(2027, 2, 1))
        got = {(str(e["UID"]), e.decoded("DTSTART"), e.decoded("DTEND")) for e in events}
        expected = {
            (s["id"], datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"]))
            for s in plan["sessions"]
            if worker in (s["worker"], s["with"])
        }
        assert got == expected

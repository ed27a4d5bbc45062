"""Issue #12 part 6: the audit log says when things happened, and every export.

Regression: eight commits run with ``--as-of 15:30`` were logged at 15:30, after an
import at 16:04. The log keeps the wall-clock time; the ``--as-of`` goes beside it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from scheduler.db import Database
from scheduler.models import AuditEntry
from tests.pipeline.conftest import Run
from tests.pipeline.team import AS_OF, START

PLAN = ("plan", "--as-of", AS_OF, "--start", START, "--weeks", "2")


def _entries(database: Database) -> list[AuditEntry]:
    with database.reading() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_commits_are_logged_at_the_wall_clock_with_the_as_of_beside(
    kw: Run, team: Path, database: Database
) -> None:
    started = datetime.now(UTC) - timedelta(seconds=1)
    kw("import", str(team))
    kw(*PLAN, "--commit")
    entries = _entries(database)
    imported = next(e for e in entries if e.action == "import")
    committed = next(e for e in entries if e.action == "plan.commit")
    assert started <= imported.at <= committed.at <= datetime.now(UTC)
    assert imported.as_of is None
    assert committed.as_of == datetime.fromisoformat(AS_OF)  # beside, not instead
    lines = kw("audit").output.splitlines()
    assert lines[1].split() == ["when", "who", "action", "as", "of", "detail"]
    commit_line = next(line for line in lines if " plan.commit " in line)
    assert " 2027-01-04 08:00:00 " in commit_line  # the as-of column (London = UTC)
    assert not commit_line.startswith("2027-01-04")  # the when column is the wall clock


def test_secret_urls_and_every_export_of_childrens_data_are_audited(
    kw: Run, team: Path, database: Database, tmp_path: Path
) -> None:
    kw("import", str(team))
    kw(*PLAN, "--commit")
    kw("init")  # creates the feed key
    before = len(_entries(database))
    kw("feeds", "url", "W001")
    kw("feeds", "team-url", "North")
    kw("calendars", "export", str(tmp_path / "out"), "--as-of", AS_OF)
    kw("export", "plan", "--format", "csv", "--output", str(tmp_path / "plan.csv"))
    kw("export", "plan")
    kw("report", "--html", str(tmp_path / "report.html"))
    kw(*PLAN, "--json", str(tmp_path / "dry.json"))
    new = _entries(database)[before:]
    assert [(e.action, e.actor) for e in new] == [
        ("feeds.url", "tester"),
        ("feeds.url", "tester"),
        ("calendars.export", "tester"),
        ("export.plan", "tester"),
        ("export.plan", "tester"),
        ("report", "tester"),
        ("plan.json", "tester"),
    ]
    details = [json.loads(e.detail) for e in new]
    assert details[0] == {"worker": "W001"} and details[1] == {"team": "North"}
    assert details[2]["files"] == 3 and details[3]["output"] == str(tmp_path / "plan.csv")
    assert details[5]["html"] == str(tmp_path / "report.html")
    assert new[2].as_of == datetime.fromisoformat(AS_OF)  # --as-of beside the wall clock
    assert new[3].as_of is None

"""sessions.csv: outcomes imported from a case system, and the first plan after go-live."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from scheduler.db import Database
from scheduler.models import AuditEntry, SessionOutcome
from tests.pipeline.conftest import Run
from tests.pipeline.team import AS_OF, PLANS, START, write_csv, write_team

LONDON = ZoneInfo("Europe/London")
LATER = "2027-01-18T08:00:00+00:00"


def _committed(kw: Run, tmp_path: Path) -> list[dict[str, Any]]:
    team = write_team(tmp_path / "team")
    kw("import", str(team))
    out = tmp_path / "plan.json"
    kw("plan", "--as-of", AS_OF, "--start", START, "--weeks", "2", "--commit", "--json", str(out))
    sessions: list[dict[str, Any]] = json.loads(out.read_text())["sessions"]
    return sorted(sessions, key=lambda s: (s["start"], s["child"]))


def _local(session: dict[str, Any]) -> str:
    return f"{datetime.fromisoformat(session['start']).astimezone(LONDON):%Y-%m-%d %H:%M}"


def _outcomes(database: Database) -> list[tuple[str | None, str, str]]:
    with database.reading() as session:
        rows = session.scalars(select(SessionOutcome).order_by(SessionOutcome.start))
        return [(r.session_id, r.outcome, r.source) for r in rows]


def test_import_by_id_by_child_and_start_and_before_go_live_then_again_unchanged(
    kw: Run, tmp_path: Path, database: Database
) -> None:
    first, second, third = _committed(kw, tmp_path)[:3]
    path = write_csv(
        tmp_path / "sessions.csv",
        [
            {"session": first["id"], "outcome": "held", "note": "went well\nnext: school"},
            {"child": second["child"], "start": _local(second), "outcome": "cancelled"},
            {"session": third["id"], "outcome": "held", "worker": "W003"},
            {"child": "YP-0002", "start": "2026-12-21 15:30", "outcome": "held",
             "worker": "W002"},
            {"child": "YP-0003", "start": "2026-12-22 11:00", "outcome": "did-not-attend"},
        ],
    )  # fmt: skip
    dry = kw("import", str(path), "--as-of", LATER, "--dry-run").output
    assert "sessions.csv: 5 new" in dry and not _outcomes(database)
    assert (
        "sessions.csv: 5 new, 0 updated, 0 unchanged"
        in kw("import", str(path), "--as-of", LATER).output
    )
    stored = _outcomes(database)
    assert ("held" in stored[0]) and stored[0][0] is None  # before go-live: in no plan
    assert (second["id"], "cancelled", "import") in stored  # child + start name the session
    assert (first["id"], "held", "import") in stored
    assert (
        "sessions.csv: 0 new, 0 updated, 5 unchanged"
        in kw("import", str(path), "--as-of", LATER).output
    )
    with database.reading() as session:
        note = session.scalar(
            select(SessionOutcome.note).where(SessionOutcome.session_id == first["id"])
        )
        assert note == "went well\nnext: school"
        audit = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "import", AuditEntry.detail.contains("sessions.csv")))  # fmt: skip
    assert audit == 2  # the dry run wrote nothing, the unchanged re-import is still audited
    # a commit takes the worker who held a session into the plan; the file still matches
    kw("plan", "--as-of", LATER, "--start", "2027-01-18", "--weeks", "2", "--commit")
    again = kw("import", str(path), "--as-of", LATER).output
    assert "sessions.csv: 0 new, 0 updated, 5 unchanged" in again


def test_every_error_at_once_with_line_column_and_value_and_nothing_written(
    kw: Run, tmp_path: Path, database: Database
) -> None:
    sessions = _committed(kw, tmp_path)
    last = sessions[-1]
    path = write_csv(
        tmp_path / "sessions.csv",
        [
            {"session": sessions[0]["id"], "outcome": "held"},  # fine, but not written
            {"session": "S-nothing", "outcome": "held"},
            {"session": sessions[1]["id"], "outcome": "attended"},
            {"session": last["id"], "outcome": "held"},  # after now
            {"child": "YP-0001", "start": "2026-12-21 15:30", "outcome": "held"},  # who?
            {"child": "YP-0001", "start": "21/12/2026 15:30", "outcome": "held"},
            {"child": "YP-9999", "start": "2026-12-21 16:00", "outcome": "cancelled"},
            {"session": sessions[0]["id"], "outcome": "cancelled"},  # duplicate
            {"child": "YP-0001", "outcome": "held"},
            {"session": sessions[2]["id"], "outcome": "held", "worker": "W404"},
            {"session": sessions[3]["id"], "outcome": "held", "note": "tab\there"},
        ],
    )
    result = kw("import", str(path), "--as-of", "2027-01-12T08:00", expect=2)
    out = result.output
    for expected in (
        "sessions.csv:3: column 'session'",
        "no session of a committed plan has this id (value: 'S-nothing')",
        "sessions.csv:4: column 'outcome'",
        "sessions.csv:5: column 'session': is after now (2027-01-12 08:00)",
        "sessions.csv:6: column 'worker': who held it?",
        "sessions.csv:7: column 'start': start must be a local time written YYYY-MM-DD HH:MM",
        "sessions.csv:8: column 'child': no child with this ref (value: 'YP-9999')",
        "sessions.csv:9: column 'session': the same session is already on line 2",
        "sessions.csv:10: column 'start': start is required with child",
        "sessions.csv:11: column 'worker': no worker with this ref (value: 'W404')",
        "sessions.csv:12: column 'note': note holds the control character U+0009",
        "10 error(s); nothing was imported.",
    ):
        assert expected in out, expected
    assert not _outcomes(database)


def test_a_missing_outcome_column_is_reported_on_line_one(
    kw: Run, tmp_path: Path, database: Database
) -> None:
    _committed(kw, tmp_path)
    path = write_csv(tmp_path / "sessions.csv", [{"session": "x", "result": "held"}])
    out = kw("import", str(path), expect=2).output
    assert "sessions.csv:1: column 'outcome': required column is missing" in out
    assert "sessions.csv:1: column 'result': unknown column" in out


def test_the_first_plan_after_go_live_owes_nothing_for_the_days_before_it(
    kw: Run, tmp_path: Path
) -> None:
    """Go-live on Thursday 2027-01-07: of YP-0001's 3 weekly sessions, ceil(3 * 4/7) = 2
    fall on the days from go-live; two are planned (Thu, Fri), so no UNMET_SESSIONS.
    YP-0002 needs 7 a week: ceil(7 * 4/7) = 4 cannot be met on two working days."""
    plans = [dict(p) for p in PLANS]
    plans[0]["sessions"] = "3"
    plans[1]["sessions"] = "7"
    team = write_team(tmp_path / "team", plans=plans)
    kw("import", str(team))
    out = tmp_path / "plan.json"
    kw("plan", "--as-of", "2027-01-07T08:00", "--start", "2027-01-07", "--weeks", "2",
       "--json", str(out))  # fmt: skip
    data = json.loads(out.read_text())
    week_one = [
        s for s in data["sessions"]
        if s["child"] == "YP-0001" and s["start"] < "2027-01-11"
    ]  # fmt: skip
    assert len(week_one) == 2
    unmet = {(a["child"], a["start"]) for a in data["alerts"] if a["kind"] == "UNMET_SESSIONS"}
    assert ("YP-0001", "2027-01-04") not in unmet
    assert ("YP-0002", "2027-01-04") in unmet
    week_two = [
        s for s in data["sessions"]
        if s["child"] == "YP-0001" and "2027-01-11" <= s["start"] < "2027-01-18"
    ]  # fmt: skip
    assert len(week_two) == 3  # the next week is owed in full

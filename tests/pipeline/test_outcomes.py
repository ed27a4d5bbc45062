"""Issue #12 part 5: record what happened; past contact is held contact.

The tiny team of ``tests.pipeline.team`` with a weekly plan for YP-0001 whose
``max_gap_days`` is 7, a session held before go-live imported from ``sessions.csv``
(Thursday 2026-12-31 with W001), and a first plan as of Monday 2027-01-04.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.db import Database
from scheduler.models import AuditEntry, SessionOutcome
from tests.pipeline.conftest import Run
from tests.pipeline.team import AS_OF, PLANS, START, write_csv, write_team

PLAN = ("plan", "--as-of", AS_OF, "--start", START, "--weeks", "2")
LATER = "2027-01-10T20:00:00+00:00"  # Sunday evening: no worker is available until Monday
REPLAN = ("plan", "--as-of", LATER, "--start", "2027-01-10", "--weeks", "2")


@pytest.fixture
def planned(kw: Run, tmp_path: Path) -> dict[str, Any]:
    plans = [dict(p) for p in PLANS]
    plans[0]["max_gap_days"] = "7"
    team = write_team(tmp_path / "team", plans=plans)
    write_csv(
        team / "sessions.csv",
        [{"child": "YP-0001", "start": "2026-12-31 10:00", "outcome": "held", "worker": "W001"}],
    )
    kw("import", str(team), "--as-of", AS_OF)
    out = tmp_path / "plan.json"
    kw(*PLAN, "--commit", "--json", str(out))
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def _first_session(data: dict[str, Any], child: str) -> dict[str, Any]:
    return min(
        (s for s in data["sessions"] if s["child"] == child and not s["past"]),
        key=lambda s: s["start"],
    )


def _after(session: dict[str, Any]) -> str:
    """An as-of just after the session began."""
    start = datetime.fromisoformat(session["start"]).astimezone(UTC)
    return start.replace(minute=start.minute + 1).isoformat()


def _plan(kw: Run, tmp_path: Path, name: str, *args: str) -> dict[str, Any]:
    out = tmp_path / f"{name}.json"
    kw(*args, "--json", str(out))
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def _of(data: dict[str, Any], kind: str, child: str) -> list[dict[str, Any]]:
    return [a for a in data["alerts"] if a["kind"] == kind and a["child"] == child]


def test_the_session_held_before_go_live_is_the_last_contact_of_the_first_plan(
    planned: dict[str, Any],
) -> None:
    first = _first_session(planned, "YP-0001")
    assert first["worker"] == "W001"
    # within max_gap_days 7 of 2026-12-31: the imported session anchors the gap
    assert first["start"] < "2027-01-08"
    assert not _of(planned, "CONTACT_GAP", "YP-0001")


def test_a_cancelled_past_session_reopens_the_gap_and_no_longer_counts_for_its_period(
    kw: Run, planned: dict[str, Any], tmp_path: Path, database: Database
) -> None:
    first = _first_session(planned, "YP-0001")
    before = _plan(kw, tmp_path, "before", *REPLAN)
    assert first["id"] in {s["id"] for s in before["sessions"] if s["past"]}
    assert not [a for a in _of(before, "CONTACT_GAP", "YP-0001") if a["start"] == "2027-01-01"]
    assert not [a for a in _of(before, "UNMET_SESSIONS", "YP-0001") if a["start"] == START]

    result = kw("record", first["id"], "cancelled", "--note", "YP-0001 unwell", "--as-of", LATER)
    assert "recorded" in result.output and "cancelled" in result.output
    after = _plan(kw, tmp_path, "after", *REPLAN)
    assert first["id"] not in {s["id"] for s in after["sessions"]}
    (gap,) = [a for a in _of(after, "CONTACT_GAP", "YP-0001") if a["start"] == "2027-01-01"]
    assert gap["severity"] == "high"
    (unmet,) = [a for a in _of(after, "UNMET_SESSIONS", "YP-0001") if a["start"] == START]
    assert "gets 0 of 1" in unmet["message"]


def test_did_not_attend_is_no_contact_either(
    kw: Run, planned: dict[str, Any], tmp_path: Path
) -> None:
    first = _first_session(planned, "YP-0001")
    kw("record", first["id"], "did-not-attend", "--as-of", LATER)
    after = _plan(kw, tmp_path, "after", *REPLAN)
    assert [a for a in _of(after, "CONTACT_GAP", "YP-0001") if a["start"] == "2027-01-01"]


def test_a_session_held_by_another_worker_is_no_key_worker_contact(
    kw: Run, planned: dict[str, Any], tmp_path: Path, database: Database
) -> None:
    first = _first_session(planned, "YP-0001")
    kw("record", first["id"], "held", "--by", "W003", "--as-of", LATER)
    after = _plan(kw, tmp_path, "after", *REPLAN)
    (held,) = [s for s in after["sessions"] if s["id"] == first["id"]]
    assert held["worker"] == "W003" and held["past"]
    assert [a for a in _of(after, "CONTACT_GAP", "YP-0001") if a["start"] == "2027-01-01"]
    assert not [a for a in _of(after, "UNMET_SESSIONS", "YP-0001") if a["start"] == START]


def test_record_is_validated_and_audited(
    kw: Run, planned: dict[str, Any], database: Database
) -> None:
    first = _first_session(planned, "YP-0001")
    sid = first["id"]
    later = max(
        (s for s in planned["sessions"] if s["child"] == "YP-0001"), key=lambda s: s["start"]
    )["id"]
    message = kw("record", later, "held", "--as-of", _after(first), expect=2).output
    assert "after now" in message and "once it has begun" in message
    assert "no session" in kw("record", "S-nothing", "held", "--as-of", LATER, expect=2).output
    assert "OUTCOME" in kw("record", sid, "attended", "--as-of", LATER, expect=2).output
    assert "no worker" in kw("record", sid, "held", "--by", "W999", "--as-of", LATER,
                             expect=2).output  # fmt: skip
    assert "only for 'held'" in kw("record", sid, "cancelled", "--by", "W002", "--as-of", LATER,
                                   expect=2).output  # fmt: skip
    assert "control character" in kw("record", sid, "held", "--note", "a\x1bb", "--as-of", LATER,
                                      expect=2).output  # fmt: skip
    kw("record", sid, "held", "--as-of", _after(first))
    assert "already recorded" in kw("record", sid, "held", "--as-of", LATER).output
    assert "(was held)" in kw("record", sid, "did-not-attend", "--as-of", LATER).output
    with database.reading() as session:
        (row,) = session.scalars(select(SessionOutcome).where(SessionOutcome.session_id == sid))
        assert (row.outcome, row.source, row.recorded_by) == ("did-not-attend", "record", "tester")
        entries = [
            json.loads(e.detail)
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.action == "session.record")
            )
        ]
    assert [(e["session"], e["outcome"], e["before"]) for e in entries] == [
        (sid, "held", None),
        (sid, "did-not-attend", "held"),
    ]


def test_a_recorded_cancellation_is_struck_through_in_the_workers_calendars(
    kw: Run, planned: dict[str, Any], tmp_path: Path
) -> None:
    first = _first_session(planned, "YP-0001")
    out = tmp_path / "before"
    kw("calendars", "export", str(out), "--as-of", LATER)
    before = (out / f"{first['worker']}.ics").read_text()
    old = before[before.rindex("BEGIN:VEVENT", 0, before.index(f"UID:{first['id']}")) :]
    old = old[: old.index("END:VEVENT")]
    assert "STATUS:CONFIRMED" in old and "(cancelled)" not in old
    kw("record", first["id"], "cancelled", "--as-of", LATER)
    out = tmp_path / "after"
    kw("calendars", "export", str(out), "--as-of", LATER)
    after = (out / f"{first['worker']}.ics").read_text()
    start = after.rindex("BEGIN:VEVENT", 0, after.index(f"UID:{first['id']}"))
    event = after[start : after.index("END:VEVENT", start)]
    assert "STATUS:CANCELLED" in event and "(cancelled)" in event
    sequence = int(event.split("SEQUENCE:")[1].split()[0])
    assert sequence == int(old.split("SEQUENCE:")[1].split()[0]) + 1

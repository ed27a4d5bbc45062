"""Issue #12 part 4: an alert stays until a person has seen it; filters; ack by id or filter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.db import Database
from scheduler.models import Alert, AuditEntry
from tests.pipeline.conftest import Run
from tests.pipeline.team import AS_OF, START, WORKERS, write_team

PLAN = ("plan", "--as-of", AS_OF, "--start", START, "--weeks", "2", "--commit")


@pytest.fixture
def leaver(kw: Run, tmp_path: Path) -> Path:
    """W001 leaves on Friday 2027-01-08: YP-0001 (high risk) changes key worker on the 9th."""
    workers = [dict(w) for w in WORKERS]
    workers[0]["end_date"] = "2027-01-08"
    team = write_team(tmp_path / "leaver", workers=workers)
    kw("import", str(team))
    return team


def _alerts(database: Database, kind: str | None = None) -> list[Alert]:
    with database.reading() as session:
        query = select(Alert).order_by(Alert.id)
        if kind:
            query = query.where(Alert.kind == kind)
        return list(session.scalars(query))


def _change(database: Database) -> Alert:
    (change,) = _alerts(database, "KEYWORKER_CHANGE")
    return change


def test_a_committed_change_not_raised_again_stays_open_until_its_date_has_passed(
    kw: Run, leaver: Path, database: Database, tmp_path: Path
) -> None:
    kw(*PLAN)
    change = _change(database)
    assert (change.child_ref, change.start.isoformat()) == ("YP-0001", "2027-01-09")
    out = tmp_path / "again.json"
    # the nightly run of the next day commits a plan with no changes
    kw("plan", "--as-of", "2027-01-05T02:00", "--start", "2027-01-05", "--weeks", "2",
       "--commit", "--json", str(out))  # fmt: skip
    assert not [a for a in json.loads(out.read_text())["alerts"] if a["kind"] == change.kind]
    assert _change(database).status == "open"
    listing = kw("alerts", "--as-of", "2027-01-05T09:00").output
    assert change.id in listing
    # on the change date it is still open; the day after, it has passed
    assert change.id in kw("alerts", "--as-of", "2027-01-09T12:00").output
    after = kw("alerts", "--as-of", "2027-01-10T09:00").output
    assert change.id not in after
    assert "passed" in kw("alerts", "--all", "--as-of", "2027-01-10T09:00").output
    kw("plan", "--as-of", "2027-01-10T02:00", "--start", "2027-01-10", "--weeks", "2",
       "--commit")  # fmt: skip
    assert _change(database).status == "resolved"


def test_a_committed_change_stays_acknowledged_and_other_kinds_resolve(
    kw: Run, leaver: Path, database: Database, tmp_path: Path
) -> None:
    kw(*PLAN)
    change = _change(database)
    kw("alerts", "ack", change.id, "--as-of", AS_OF)
    kw(*PLAN)
    assert _change(database).status == "acknowledged"
    # W001 no longer leaves and the manager pins YP-0001 to them: the change is undone
    team = write_team(tmp_path / "stays", workers=WORKERS)
    kw("import", str(team / "workers.csv"))
    kw("pin", "YP-0001", "W001")
    kw(*PLAN)
    assert _change(database).status == "resolved"
    assert all(a.status == "resolved" for a in _alerts(database, "WORKER_LEAVING"))


def test_an_undone_change_that_was_never_acknowledged_is_resolved(
    kw: Run, leaver: Path, database: Database, tmp_path: Path
) -> None:
    kw(*PLAN)
    team = write_team(tmp_path / "stays", workers=WORKERS)
    kw("import", str(team / "workers.csv"))
    kw("pin", "YP-0001", "W001")
    kw(*PLAN)
    assert _change(database).status == "resolved"


def test_filters_pick_by_severity_kind_child_and_team(
    kw: Run, leaver: Path, database: Database
) -> None:
    kw(*PLAN)
    rows = [a for a in _alerts(database) if a.status == "open"]
    change, leaving = _change(database), _alerts(database, "WORKER_LEAVING")[0]
    assert change.severity == "high" and leaving.severity == "medium"
    high = kw("alerts", "--severity", "high", "--as-of", AS_OF).output
    assert change.id in high and leaving.id not in high
    assert all(a.id in kw("alerts", "--severity", "low", "--as-of", AS_OF).output for a in rows)
    kinds = kw("alerts", "--kind", "worker_leaving", "--as-of", AS_OF).output
    assert leaving.id in kinds and change.id not in kinds
    child = kw("alerts", "--child", "YP-0001", "--as-of", AS_OF).output
    assert change.id in child and leaving.id not in child  # WORKER_LEAVING names no child
    team = kw("alerts", "--team", "North", "--as-of", AS_OF).output
    assert change.id in team and leaving.id in team
    assert "no team" in kw("alerts", "--team", "South", expect=2).output
    assert "no child" in kw("alerts", "--child", "YP-9999", expect=2).output
    assert "--kind" in kw("alerts", "--kind", "NOPE", expect=2).output
    assert "--severity" in kw("alerts", "--severity", "urgent", expect=2).output
    assert (
        "no open alerts match"
        in kw(
            "alerts", "--kind", "FROZEN_CHANGE", "--kind", "nightly_failed", "--as-of", AS_OF
        ).output
    )


def test_delivery_shows_a_dash_where_no_channel_is_configured(
    kw: Run, leaver: Path, database: Database
) -> None:
    kw(*PLAN)
    lines = kw("alerts", "--as-of", AS_OF).output.splitlines()
    header = lines[0].split()
    column = header.index("delivered")
    rows = [line.split() for line in lines[2:]]
    assert rows and all(row[column] == "-" for row in rows)


def test_ack_several_ids_with_a_note_is_audited_with_the_note(
    kw: Run, leaver: Path, database: Database
) -> None:
    kw(*PLAN)
    change, leaving = _change(database), _alerts(database, "WORKER_LEAVING")[0]
    result = kw("alerts", "ack", change.id, leaving.id, "--note", "handover booked\nwith W002",
                "--as-of", AS_OF)  # fmt: skip
    assert f"acknowledged {change.id}" in result.output
    assert f"acknowledged {leaving.id}" in result.output
    with database.reading() as session:
        for alert_id in (change.id, leaving.id):
            row = session.get(Alert, alert_id)
            assert row is not None and row.status == "acknowledged"
            assert row.acknowledged_note == "handover booked\nwith W002"
            assert row.acknowledged_by == "tester"
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "alerts.ack")))
    details = [json.loads(e.detail) for e in entries]
    assert {d["alert"] for d in details} == {change.id, leaving.id}
    assert all(d["note"] == "handover booked\nwith W002" for d in details)
    listing = kw("alerts", "--as-of", AS_OF).output
    assert change.id not in listing and leaving.id not in listing


def test_ack_is_all_or_nothing_and_refuses_bad_notes(
    kw: Run, leaver: Path, database: Database
) -> None:
    kw(*PLAN)
    change = _change(database)
    result = kw("alerts", "ack", change.id, "A-nothing", "--as-of", AS_OF, expect=2)
    assert "A-nothing" in result.output and "nothing was acknowledged" in result.output
    assert _change(database).status == "open"
    assert (
        "control character" in kw("alerts", "ack", change.id, "--note", "bell\x07", expect=2).output
    )
    assert "ids or a filter" in kw("alerts", "ack", change.id, "--kind", "COVER", expect=2).output
    assert "ids" in kw("alerts", "ack", expect=2).output
    assert _change(database).status == "open"


def test_ack_by_filter_acknowledges_every_open_alert_it_picks(
    kw: Run, leaver: Path, database: Database
) -> None:
    kw(*PLAN)
    others = [a.id for a in _alerts(database) if a.kind != "WORKER_LEAVING"]
    result = kw("alerts", "ack", "--kind", "WORKER_LEAVING", "--note", "known", "--as-of", AS_OF)
    (leaving,) = _alerts(database, "WORKER_LEAVING")
    assert f"acknowledged {leaving.id}" in result.output
    assert leaving.status == "acknowledged" and leaving.acknowledged_note == "known"
    with database.reading() as session:
        assert all(session.get(Alert, i).status == "open" for i in others)  # type: ignore[union-attr]
    assert (
        "nothing was acknowledged"
        in kw("alerts", "ack", "--kind", "WORKER_LEAVING", "--as-of", AS_OF).output
    )

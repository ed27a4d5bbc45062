"""Headline figures, the monthly trend and ``report --json``, on the hand-worked team.

``hand_worked_team`` (test_report_builders) as of 2026-11-27 12:00 UTC, window from
2025-11-27, records from 2025-10-01, current plan 2026-11-30 .. 2026-12-27:

* stable key worker: YP-A changed on 2026-06-01, YP-B twice; YP-C's first key worker
  is no change: 1 of 3.
* trend, weekly plans of 1 session (YP-A from 2026-10-01, YP-B from 2025-01-01, YP-C
  from 2026-03-01): October 2026 holds the weeks ending Oct 4, 11, 18 and 25: 3 x 4 =
  12 required; YP-A met 3 (Oct 5, 12, 19; the week ending Oct 4 has none). Held in
  October: YP-A Oct 5, 12, 26 (W1, key) and Oct 19 (W3, cover): 4, 3 with the key
  worker. November: weeks ending Nov 1, 8, 15, 22: 12 required, met 3 (YP-A Oct 26 in
  the week ending Nov 1 and Nov 16; YP-B Nov 20; the Nov 2 session was removed); held
  Nov 16 and Nov 20, both with the key worker; planned Nov 30 (YP-A with W1). December:
  the plan's weeks ending Dec 6 .. 27: 12 required, met 1 (YP-A's Nov 30). The week
  ending Nov 29 neither ended before the report date nor ends inside the horizon.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from scheduler.db import Database
from scheduler.models import Alert, Child, KeyWorkerHistory, Worker
from scheduler.report import FORMAT, VERSION, ContinuityReport, build_report, report_json
from tests.report.test_report_builders import (
    AS_OF,
    ZONE,
    hand_worked_team,
    held,
    key,
    make_version,
)
from tests.report.test_report_cli import _run

_alert_ids = iter(range(1, 1000))


def _alert(session: Session, *, severity: str, status: str, child: str | None,
           worker: str | None = None) -> Alert:  # fmt: skip
    n = next(_alert_ids)
    row = Alert(id=f"A-{n:04d}", identity=f"test:{n}", kind="CONTACT_GAP", severity=severity,
                child_ref=child, worker_ref=worker, session_id=None, start=date(2026, 12, 1),
                end=date(2026, 12, 20), message="m", status=status, first_seen_version=1,
                last_seen_version=1, created_at=AS_OF, updated_at=AS_OF)  # fmt: skip
    session.add(row)
    return row


def _report(database: Database, *, months: int = 12, team: str | None = None) -> ContinuityReport:
    with database.reading() as session:
        return build_report(session, as_of=AS_OF, zone=ZONE, months=months, team=team)


def _by_ref(session: Session, model: type[Child] | type[Worker], ref: str) -> int:
    found = session.query(model).filter_by(ref=ref).one()
    return found.id


@pytest.fixture
def team_with_coming_changes(database: Database) -> Database:
    """The hand-worked team, plus: YP-C goes from W001 to W003 on 2026-12-10 after a
    handover on Dec 3; a handover on Dec 26 (after the 28 days); open and closed alerts."""
    hand_worked_team(database)
    with database.transaction() as s:
        c = s.get(Child, _by_ref(s, Child, "YP-C"))
        w1 = s.get(Worker, _by_ref(s, Worker, "W001"))
        w3 = s.get(Worker, _by_ref(s, Worker, "W003"))
        a = s.get(Child, _by_ref(s, Child, "YP-A"))
        w2 = s.get(Worker, _by_ref(s, Worker, "W002"))
        assert c and w1 and w3 and a and w2
        row = s.query(KeyWorkerHistory).filter_by(child_id=c.id, role="key").one()
        row.end_date = date(2026, 12, 9)
        key(s, c, w3, date(2026, 12, 10))
        version = make_version(s, is_current=False)
        held(s, c, w1, date(2026, 12, 3), version=version, with_worker=w3)
        held(s, a, w1, date(2026, 12, 26), version=version, with_worker=w2)
        _alert(s, severity="high", status="open", child="YP-A")
        _alert(s, severity="high", status="open", child=None, worker="W003")  # South
        _alert(s, severity="high", status="acknowledged", child="YP-B")
        _alert(s, severity="high", status="resolved", child="YP-B")
        _alert(s, severity="medium", status="open", child="YP-B")
    return database


def test_stable_key_worker_and_delivered_by_hand(database: Database) -> None:
    hand_worked_team(database)
    report = _report(database)
    h = report.headline
    assert h is not None
    assert (h.stable, h.children, h.stable_since) == (1, 3, date(2025, 11, 27))
    assert h.stable_pct == pytest.approx(100 / 3)
    delivered = report.delivery[-1].delivered  # all teams
    assert (h.delivered_met, h.delivered_required) == (delivered.counted, delivered.required)
    assert h.open_high_alerts == () and h.coming_changes == () and h.coming_handovers == ()


def test_stable_counts_12_months_whatever_the_window(database: Database) -> None:
    # YP-A's change on 2026-06-01 is outside a 3-month window but inside 12 months.
    hand_worked_team(database)
    report = _report(database, months=3)
    assert report.headline is not None and report.headline.stable == 1
    assert next(c for c in report.children if c.ref == "YP-A").changes == 0


def test_trend_by_month_by_hand(database: Database) -> None:
    hand_worked_team(database)
    h = _report(database).headline
    assert h is not None
    months = {m.month: m for m in h.trend}
    assert h.trend[0].month == date(2025, 11, 1) and h.trend[-1].month == date(2026, 12, 1)
    assert len(h.trend) == 14
    first = h.trend[0]
    assert (first.required, first.met_pct, first.key_worker_pct) == (0, None, None)
    assert months[date(2025, 12, 1)].required == 4  # YP-B only
    october = months[date(2026, 10, 1)]
    assert (october.required, october.met, october.held, october.held_with_key_worker) == (
        12, 3, 4, 3)  # fmt: skip
    assert october.key_worker_pct == pytest.approx(75.0)
    november = months[date(2026, 11, 1)]
    assert (november.required, november.met) == (12, 3)
    assert (november.held, november.held_with_key_worker) == (2, 2)
    assert (november.planned, november.planned_with_key_worker) == (1, 1)
    december = months[date(2026, 12, 1)]
    assert (december.required, december.met, december.held, december.planned) == (12, 1, 0, 0)


def test_coming_changes_handovers_and_open_high_alerts(team_with_coming_changes: Database) -> None:
    h = _report(team_with_coming_changes).headline
    assert h is not None
    assert (h.coming_from, h.coming_to) == (date(2026, 11, 28), date(2026, 12, 25))
    assert [(c.child, c.day, c.outgoing, c.incoming) for c in h.coming_changes] == [
        ("YP-C", date(2026, 12, 10), "W001", "W003")
    ]
    assert [(x.child, x.day, x.worker, x.with_worker) for x in h.coming_handovers] == [
        ("YP-C", date(2026, 12, 3), "W001", "W003")
    ]  # Dec 26 is after the 28 days
    assert {(a.child_ref, a.worker_ref) for a in h.open_high_alerts} == {
        ("YP-A", None),
        (None, "W003"),
    }
    south = _report(team_with_coming_changes, team="South").headline
    assert south is not None
    assert [(a.child_ref, a.worker_ref) for a in south.open_high_alerts] == [(None, "W003")]
    assert south.coming_changes == h.coming_changes  # YP-C is South's


def test_json_has_the_documented_shape(team_with_coming_changes: Database) -> None:
    data = report_json(_report(team_with_coming_changes))
    assert json.loads(json.dumps(data)) == data  # plain JSON types only
    assert (data["format"], data["version"]) == (FORMAT, VERSION) == ("keyworker-report", 1)
    assert data["as_of"] == "2026-11-27T12:00:00+00:00"
    assert data["window"] == {"start": "2025-11-27", "end": "2026-11-27", "months": 12}
    head = data["headline"]
    assert head["stable_key_worker"] == {"children": 3, "stable": 1, "pct": 33.3,
                                         "since": "2025-11-27"}  # fmt: skip
    assert head["open_high_alerts"]["count"] == 2
    assert head["coming"] == {
        "start": "2026-11-28",
        "end": "2026-12-25",
        "keyworker_changes": [{"child": "YP-C", "date": "2026-12-10", "from": "W001",
                               "to": "W003"}],
        "handovers": [{"child": "YP-C", "date": "2026-12-03", "worker": "W001",
                       "with": "W003"}],
    }  # fmt: skip
    october = next(m for m in data["trend"] if m["month"] == "2026-10")
    assert october == {"month": "2026-10", "required": 12, "met": 3, "met_pct": 25.0,
                       "held": 4, "held_with_key_worker": 3, "planned": 0,
                       "planned_with_key_worker": 0, "with_key_worker_pct": 75.0}  # fmt: skip
    assert [t["team"] for t in data["teams"]] == ["North", "South", "All teams"]
    child = next(c for c in data["children"] if c["ref"] == "YP-A")
    assert child["longest_gap"] == {"start": "2026-10-26", "end": "2026-11-16", "days": 21}
    assert (child["upc"], child["coc"], child["gap_exceeded"]) == (0.8, 0.6, True)
    assert set(data) == {"format", "version", "as_of", "timezone", "team", "window",
                         "headline", "trend", "plan", "delivery", "teams", "children",
                         "workload"}  # fmt: skip


def test_cli_json_to_stdout_is_json_only(team_with_coming_changes: Database, db_url: str) -> None:
    code, output = _run(db_url, "--json", "-")
    assert code == 0, output
    data = json.loads(output)  # nothing else on stdout
    assert data["headline"]["coming"]["keyworker_changes"][0]["child"] == "YP-C"


def test_cli_json_to_a_file_and_the_text_headline(
    team_with_coming_changes: Database, db_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    code, output = _run(db_url, "--json", str(out))
    assert code == 0, output
    assert f"wrote {out}" in output
    assert "children with a stable key worker over 12 months: 1 of 3 (33%)" in output
    assert "open high alerts: 2" in output
    assert "key-worker changes / handovers 2026-11-28 .. 2026-12-25: 1 / 1" in output
    assert out.stat().st_mode & 0o077 == 0  # children's data: owner-only
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "keyworker-report"

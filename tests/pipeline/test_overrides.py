"""Manager overrides: pin/unpin, lock/unlock, suggest and whatif, each audited."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scheduler import overrides
from scheduler.db import Database
from scheduler.errors import RefusedAction
from scheduler.models import Child, PlanVersion
from scheduler.models import Session as PlanSession
from tests.pipeline.conftest import Run
from tests.pipeline.team import AS_OF, CHILDREN, PLANS, START, WORKERS, write_csv, write_team

PLAN = ("plan", "--as-of", AS_OF, "--start", START, "--weeks", "2")


def test_pin_moves_key_worker_and_unpin_releases(
    kw: Run, team: Path, tmp_path: Path, database: Database
) -> None:
    kw("import", str(team))
    kw("pin", "YP-0001", "W003")
    with database.reading() as session:
        child = session.scalars(select(Child).where(Child.ref == "YP-0001")).one()
        assert child.pinned_worker is not None and child.pinned_worker.ref == "W003"
    out = tmp_path / "p.json"
    kw(*PLAN, "--json", str(out))
    allocations = [a for a in json.loads(out.read_text())["allocations"] if a["child"] == "YP-0001"]
    assert {a["key_worker"] for a in allocations} == {"W003"}
    kw("unpin", "YP-0001")
    assert "not pinned" in kw("unpin", "YP-0001", expect=2).output
    log = kw("audit").output
    assert "pin" in log and "unpin" in log


def test_pin_from_a_date_changes_then_with_a_handover_before(
    kw: Run, team: Path, tmp_path: Path, database: Database
) -> None:
    kw("import", str(team))
    result = kw("pin", "YP-0001", "W003", "--from", "2027-01-11")
    assert "pinned to W003 from 2027-01-11" in result.output
    out = tmp_path / "p.json"
    kw(*PLAN, "--json", str(out))
    data = json.loads(out.read_text())
    runs = [
        (a["key_worker"], a["start"], a["changed"], a["reason"])
        for a in data["allocations"]
        if a["child"] == "YP-0001"
    ]
    assert runs[0][:3] == ("W001", START, False)  # the relationship holds until the day
    assert runs[1][:3] == ("W003", "2027-01-11", True)
    assert "pinned to W003 from 2027-01-11 by the manager" in runs[1][3]
    joint = [
        s
        for s in data["sessions"]
        if s["child"] == "YP-0001" and {s["worker"], s["with"]} == {"W001", "W003"}
    ]
    assert len(joint) == 1 and joint[0]["start"][:10] < "2027-01-11"
    change = next(a for a in data["alerts"] if a["kind"] == "KEYWORKER_CHANGE")
    assert change["start"] == "2027-01-11" and "by the manager" in change["message"]
    began = kw("pin", "YP-0001", "W003", "--from", "2026-01-05", expect=2)
    assert "that day has begun" in began.output
    kw("unpin", "YP-0001")
    with database.reading() as session:
        child = session.scalars(select(Child).where(Child.ref == "YP-0001")).one()
        assert child.pinned_worker_id is None and child.pinned_from is None


def test_pin_refuses_rule_3_and_full_caseload(kw: Run, tmp_path: Path) -> None:
    workers = [dict(w) for w in WORKERS]
    workers[2]["skills"] = ""  # W003 cannot work with YP-0001, who needs cse
    workers[1]["max_caseload"] = "1"  # W002 is full with YP-0002
    children = [dict(c) for c in CHILDREN]
    children[2]["excluded_workers"] = "W001"
    kw("import", str(write_team(tmp_path / "t", workers=workers, children=children)))
    assert "lacks the skill(s) cse" in kw("pin", "YP-0001", "W003", expect=2).output
    full = kw("pin", "YP-0001", "W002", expect=2).output
    assert "W002 is full" in full and "max_caseload of 1" in full
    assert "excluded" in kw("pin", "YP-0003", "W001", expect=2).output
    assert "no worker" in kw("pin", "YP-0001", "W999", expect=2).output
    assert "no child" in kw("pin", "YP-9999", "W001", expect=2).output


def test_locked_session_does_not_move(kw: Run, team: Path, database: Database) -> None:
    kw("import", str(team))
    kw(*PLAN, "--commit")
    with database.reading() as session:
        target = session.scalars(select(PlanSession).order_by(PlanSession.start.desc())).first()
        assert target is not None
        where = (target.start, target.worker_id)
    kw("lock", target.id)
    assert "already locked" in kw("lock", target.id, expect=2).output
    kw(*PLAN, "--commit")
    with database.reading() as session:
        row = session.get(PlanSession, target.id)
        assert row is not None and row.locked and (row.start, row.worker_id) == where
    kw("unlock", target.id)
    assert "no session" in kw("lock", "s-nothing", expect=2).output
    assert "lock" in kw("audit").output


def test_whatif_absence_shows_cover_and_commits_nothing(
    kw: Run, team: Path, database: Database
) -> None:
    kw("import", str(team))
    result = kw("whatif", "--absent", "W002", "2027-01-04", "2027-01-17", *PLAN[1:])
    assert "W002 absent 2027-01-04 .. 2027-01-17" in result.output
    assert "COVER" in result.output or "UNMET_SESSIONS" in result.output
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(PlanVersion)) == 0
    assert "needs --absent" in kw("whatif", expect=2).output


def test_whatif_leaver_and_referral(kw: Run, team: Path, tmp_path: Path) -> None:
    kw("import", str(team))
    result = kw("whatif", "--leaving", "W003", "2027-01-06", *PLAN[1:])
    assert "KEYWORKER_CHANGE" in result.output
    referral = tmp_path / "referral"
    referral.mkdir()
    write_csv(referral / "children.csv", [{"ref": "YP-0100", "team": "North", "risk": "high"}])
    write_csv(referral / "plans.csv", [dict(PLANS[0], child="YP-0100")])
    out = tmp_path / "w.json"
    kw("whatif", "--referral", str(referral), *PLAN[1:], "--json", str(out))
    data = json.loads(out.read_text())
    assert "YP-0100" in {a["child"] for a in data["allocations"]}
    write_csv(referral / "children.csv", [{"ref": "YP-0001", "team": "North"}])
    assert "must be new" in kw("whatif", "--referral", str(referral), expect=2).output


def test_whatif_shows_only_what_the_change_adds_and_takes_away(
    kw: Run, team: Path, database: Database
) -> None:
    kw("import", str(team))
    kw(*PLAN, "--commit")
    result = kw("whatif", "--absent", "W002", "2027-01-04", "2027-01-17", *PLAN[1:])
    assert "Alerts the change adds (" in result.output
    assert "Alerts the change takes away (" in result.output
    assert "\nAlerts (" not in result.output  # not every alert of the plan again


@pytest.mark.parametrize("change", ["absent", "leaving", "referral"])
def test_whatif_commit_records_the_change_and_commits_the_plan_shown(
    kw: Run, team: Path, database: Database, tmp_path: Path, change: str
) -> None:
    kw("import", str(team))
    kw(*PLAN, "--commit")
    if change == "absent":
        args = ["--absent", "W002", "2027-01-05", "2027-01-08"]
    elif change == "leaving":
        args = ["--leaving", "W003", "2027-01-06"]
    else:
        referral = tmp_path / "referral"
        referral.mkdir()
        write_csv(referral / "children.csv", [{"ref": "YP-0100", "team": "North"}])
        write_csv(referral / "plans.csv", [dict(PLANS[0], child="YP-0100")])
        args = ["--referral", str(referral)]
    shown = tmp_path / "shown.json"
    result = kw("whatif", *args, *PLAN[1:], "--commit", "--json", str(shown))
    assert "(recorded, and the plan committed)" in result.output
    assert "exactly as previewed: nothing has changed since" in result.output
    assert "committed as version 2" in result.output
    committed = tmp_path / "committed.json"
    kw("export", "plan", "--format", "json", "-o", str(committed))
    previewed, stored = json.loads(shown.read_text()), json.loads(committed.read_text())
    assert stored["sessions"] == previewed["sessions"]
    assert stored["allocations"] == previewed["allocations"]
    actions = kw("audit").output
    assert {"absent": "absence.add", "leaving": "worker.leaves"}.get(change, "referral.add") in (
        actions
    )


def test_suggest_ranks_candidates(kw: Run, team: Path) -> None:
    kw("import", str(team))
    output = kw("suggest", "YP-0002", "--as-of", AS_OF).output
    assert "W002" in output and "rank" in output
    assert "no child" in kw("suggest", "YP-9999", expect=2).output


def _full_w002(tmp_path: Path, *, yp2_ends: str = "") -> Path:
    """W003 leaves before the horizon and W001 (max 1) is full with YP-0001, so the plan
    gives YP-0003 to W002 (max 2), who also holds YP-0002: W002 is full in the plan
    while the case record today still says W002 holds YP-0002 only."""
    workers = [dict(w) for w in WORKERS]
    workers[0]["max_caseload"] = "1"
    workers[1]["max_caseload"] = "2"
    workers[2]["end_date"] = "2026-12-18"
    plans = [dict(p) for p in PLANS]
    plans[1]["end_date"] = yp2_ends
    return write_team(tmp_path / "full", workers=workers, plans=plans)


def _key_workers(kw: Run, out: Path) -> dict[str, set[str]]:
    kw(*PLAN, "--json", str(out), "--commit")
    keys: dict[str, set[str]] = {}
    for a in json.loads(out.read_text())["allocations"]:
        keys.setdefault(a["child"], set()).add(a["key_worker"])
    return keys


def test_defect6_pin_refuses_a_worker_full_on_every_day_of_the_current_plan(
    kw: Run, tmp_path: Path, database: Database
) -> None:
    kw("import", str(_full_w002(tmp_path)))
    assert _key_workers(kw, tmp_path / "p.json") == {
        "YP-0001": {"W001"},
        "YP-0002": {"W002"},
        "YP-0003": {"W002"},
    }
    refused = kw("pin", "YP-0001", "W002", expect=2)
    assert "cannot pin YP-0001 to W002: W002 is full" in refused.output
    assert "key worker for 2 other child(ren), their max_caseload of 2" in refused.output
    with database.reading() as session:
        assert session.scalars(select(Child.pinned_worker_id)).all() == [None, None, None]
    # A child already among the worker's children takes no extra room.
    kw("pin", "YP-0003", "W002")
    assert "pin" in kw("audit").output


def test_defect6_pin_refuses_a_worker_full_on_some_remaining_days_only(
    kw: Run, tmp_path: Path, database: Database
) -> None:
    # YP-0002's plan ends on 2027-01-10: W002 is full from 2027-01-04 to 2027-01-10 only.
    kw("import", str(_full_w002(tmp_path, yp2_ends="2027-01-10")))
    assert _key_workers(kw, tmp_path / "p.json")["YP-0003"] == {"W002"}
    now = datetime(2027, 1, 4, 8, tzinfo=UTC)

    def pin(today: date) -> None:
        with database.transaction() as session:
            overrides.pin(session, "YP-0001", "W002", actor="tester", now=now, today=today)

    # Full on any remaining day refuses: on those days the pin could only be kept by
    # breaking rule 7 or by taking another child's key worker away.
    with pytest.raises(RefusedAction, match=r"on 7 remaining days .*2027-01-04 to 2027-01-10"):
        pin(date(2027, 1, 4))
    with pytest.raises(RefusedAction, match=r"on 1 remaining days .*2027-01-10 to 2027-01-10"):
        pin(date(2027, 1, 10))
    pin(date(2027, 1, 11))  # from here on W002 has room every day
    with database.reading() as session:
        child = session.scalars(select(Child).where(Child.ref == "YP-0001")).one()
        assert child.pinned_worker is not None and child.pinned_worker.ref == "W002"


def test_defect6_pins_count_towards_a_full_worker_without_a_plan(kw: Run, tmp_path: Path) -> None:
    workers = [dict(w) for w in WORKERS]
    workers[2]["max_caseload"] = "2"  # W003 holds YP-0003 (case record), room for one more
    kw("import", str(write_team(tmp_path / "t", workers=workers)))
    kw("pin", "YP-0001", "W003")
    refused = kw("pin", "YP-0002", "W003", expect=2).output
    assert "W003 is full: key worker for 2 other child(ren), their max_caseload of 2" in refused
    kw("unpin", "YP-0001")
    kw("pin", "YP-0002", "W003")


def test_whatif_referral_errors_list_root_causes_and_count_the_rest(
    kw: Run, team: Path, tmp_path: Path
) -> None:
    """As 'import' prints them: the children.csv row that failed, then one line counting
    the plans.csv rows that fail only because of it; nothing is planned."""
    kw("import", str(team))
    referral = tmp_path / "referral"
    referral.mkdir()
    write_csv(referral / "children.csv", [{"ref": "YP-0100", "team": "North", "risk": "extreme"}])
    write_csv(
        referral / "plans.csv",
        [dict(PLANS[0], child="YP-0100"), dict(PLANS[0], child="YP-0100", start_date="2027-03-01")],
    )
    result = kw("whatif", "--referral", str(referral), *PLAN[1:], expect=2)
    lines = [line for line in result.output.splitlines() if not line.startswith("... ")]
    assert lines == [
        "children.csv:2: column 'risk': risk must be one of low, medium, high (value: 'extreme')",
        "and 2 more errors in plans.csv caused by the child above whose row failed",
        "3 error(s); nothing was planned.",
    ]

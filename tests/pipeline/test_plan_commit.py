"""import -> plan -> commit -> re-plan through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from scheduler.db import Database
from scheduler.models import AuditEntry, PlanVersion
from scheduler.models import Session as PlanSession
from tests.pipeline.conftest import Run
from tests.pipeline.team import AS_OF, CHILDREN, PLANS, START, WORKERS, write_team

PLAN = ("plan", "--as-of", AS_OF, "--start", START, "--weeks", "2")


def _versions(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(PlanVersion)) or 0


def test_dry_run_writes_nothing_and_shows_summary(
    kw: Run, team: Path, database: Database, tmp_path: Path
) -> None:
    kw("import", str(team))
    out = tmp_path / "plan.json"
    result = kw(*PLAN, "--json", str(out))
    assert "dry run, not committed" in result.output
    assert "sessions scheduled/required" in result.output
    assert "possible with these absences)" in result.output  # the ceiling, issue 11
    assert _versions(database) == 0
    data = json.loads(out.read_text())
    assert data["committed"] is False
    assert data["version"] == 1
    assert data["horizon"] == {"start": START, "end": "2027-01-17", "timezone": "Europe/London"}
    assert {a["child"] for a in data["allocations"]} == {"YP-0001", "YP-0002", "YP-0003"}
    assert set(data["metrics"]) == {
        "children", "allocated", "keyworker_changes", "sessions_required",
        "sessions_scheduled", "sessions_with_key_worker_pct", "solve_seconds",
    }  # fmt: skip
    for s in data["sessions"]:
        assert s["start"].endswith("+00:00")  # January in London: UTC offset shown
        assert set(s) == {"id", "child", "worker", "with", "start", "end", "past", "locked",
                          "cover"}  # fmt: skip


def test_commit_then_unchanged_replan_is_identical(
    kw: Run, team: Path, database: Database, tmp_path: Path
) -> None:
    kw("import", str(team))
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    kw(*PLAN, "--commit", "--json", str(first))
    assert _versions(database) == 1
    with database.reading() as session:
        stored = session.scalars(select(PlanVersion)).one().metrics
    assert 0 <= stored["sessions_with_key_worker_pct"] <= stored["key_worker_ceiling_pct"] <= 100
    kw(*PLAN, "--json", str(second))
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    assert a["committed"] is True and b["committed"] is False
    assert a["allocations"] == b["allocations"]
    assert a["sessions"] == b["sessions"]
    assert [x["id"] for x in a["alerts"]] == [x["id"] for x in b["alerts"]]
    exported = json.loads(kw("export", "plan", "--format", "json").output)
    assert exported["version"] == 1
    assert {s["id"] for s in exported["sessions"]} == {s["id"] for s in a["sessions"]}
    with database.reading() as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert "import" in actions and "plan.commit" in actions


def test_second_commit_keeps_session_ids_and_sequences(
    kw: Run, team: Path, database: Database
) -> None:
    kw("import", str(team))
    kw(*PLAN, "--commit")
    with database.reading() as session:
        before = {s.id: (s.start, s.sequence) for s in session.scalars(select(PlanSession))}
    kw(*PLAN, "--commit")
    with database.reading() as session:
        after = {s.id: (s.start, s.sequence) for s in session.scalars(select(PlanSession))}
        current = session.scalars(select(PlanVersion).where(PlanVersion.is_current)).all()
    assert before == after
    assert [v.id for v in current] == [2]


def test_new_initials_raise_the_sequence_of_that_childs_sessions_only(
    kw: Run, team: Path, database: Database, tmp_path: Path
) -> None:
    kw("import", str(team))
    kw(*PLAN, "--commit")
    with database.reading() as session:
        before = {s.id: (s.child.ref, s.sequence) for s in session.scalars(select(PlanSession))}
    renamed = [dict(c, initials="Z.Z.") if c["ref"] == "YP-0001" else c for c in CHILDREN]
    again = write_team(tmp_path / "renamed", children=renamed)
    kw("import", str(again))
    with database.reading() as session:
        after = {s.id: (s.child.ref, s.sequence) for s in session.scalars(select(PlanSession))}
    assert after.keys() == before.keys()
    for sid, (child, sequence) in after.items():
        assert sequence == before[sid][1] + (child == "YP-0001")
    assert any(child == "YP-0001" for child, _ in after.values())


def test_leaver_change_is_alerted_once_and_not_again_after_commit(
    kw: Run, tmp_path: Path, database: Database
) -> None:
    workers = [dict(w) for w in WORKERS]
    workers[0]["end_date"] = "2027-01-08"  # W001 leaves on Friday of week one
    team = write_team(tmp_path / "leaver", workers=workers)
    kw("import", str(team))
    out = tmp_path / "p.json"
    kw(*PLAN, "--commit", "--json", str(out))
    data = json.loads(out.read_text())
    changes = [a for a in data["alerts"] if a["kind"] == "KEYWORKER_CHANGE"]
    assert [(a["child"], a["start"]) for a in changes] == [("YP-0001", "2027-01-09")]
    assert "leaves on 2027-01-08" in changes[0]["message"]
    assert any(a["kind"] == "WORKER_LEAVING" and a["worker"] == "W001" for a in data["alerts"])
    periods = [a for a in data["allocations"] if a["child"] == "YP-0001"]
    assert periods[0]["key_worker"] == "W001" and periods[0]["end"] == "2027-01-08"
    assert periods[1]["changed"] is True and periods[1]["start"] == "2027-01-09"
    again = tmp_path / "again.json"
    kw(*PLAN, "--json", str(again))
    replanned = json.loads(again.read_text())
    assert not [a for a in replanned["alerts"] if a["kind"] == "KEYWORKER_CHANGE"]
    assert replanned["metrics"]["keyworker_changes"] == 0


def test_fail_on_exits_3_and_commit_still_happens(
    kw: Run, tmp_path: Path, database: Database
) -> None:
    workers = [dict(w) for w in WORKERS]
    workers[0]["end_date"] = "2027-01-08"
    kw("import", str(write_team(tmp_path / "t", workers=workers)))
    kw(*PLAN, "--fail-on", "low", expect=3)
    assert _versions(database) == 0
    kw(*PLAN, "--commit", "--fail-on", "medium", expect=3)
    assert _versions(database) == 1
    kw(*PLAN, "--fail-on", "extreme", expect=2)


def test_bad_options_exit_2(kw: Run, team: Path) -> None:
    kw("import", str(team))
    assert "not an ISO 8601" in kw("plan", "--as-of", "yesterday", expect=2).output
    assert "YYYY-MM-DD" in kw("plan", "--start", "04/01/2027", expect=2).output


def test_team_option_plans_only_that_team(kw: Run, tmp_path: Path) -> None:
    workers = [*WORKERS, dict(WORKERS[1], ref="W009", team="South", name="Sam South")]
    children = [*CHILDREN, dict(CHILDREN[1], ref="YP-0900", team="South", key_worker="W009")]
    plans = [*PLANS, dict(PLANS[1], child="YP-0900")]
    kw("import", str(write_team(tmp_path / "t", workers=workers, children=children, plans=plans)))
    out = tmp_path / "south.json"
    kw(*PLAN, "--team", "South", "--json", str(out))
    data = json.loads(out.read_text())
    assert {a["child"] for a in data["allocations"]} == {"YP-0900"}
    assert {s["worker"] for s in data["sessions"]} <= {"W009"}


def test_export_plan_as_csv_tables_and_an_xlsx_workbook(
    kw: Run, team: Path, tmp_path: Path
) -> None:
    kw("import", str(team))
    kw(*PLAN, "--commit")
    plan = json.loads(kw("export", "plan", "--format", "json").output)
    rows = list(csv.DictReader(io.StringIO(kw("export", "plan", "--format", "csv").output)))
    assert len(rows) == len(plan["sessions"])
    first = min(plan["sessions"], key=lambda s: s["start"])
    row = next(r for r in rows if r["id"] == first["id"])
    local = datetime.fromisoformat(first["start"]).astimezone(ZoneInfo("Europe/London"))
    assert (row["date"], row["from"], row["weekday"]) == (
        local.date().isoformat(),
        local.strftime("%H:%M"),
        local.strftime("%a"),
    )
    assert row["worker name"] == next(w["name"] for w in WORKERS if w["ref"] == row["worker"])
    allocations = kw("export", "plan", "--format", "csv", "--table", "allocations").output
    assert allocations.splitlines()[0].startswith("child,key worker,key worker name")
    assert len(allocations.strip().splitlines()) == len(plan["allocations"]) + 1
    book = tmp_path / "plan.xlsx"
    kw("export", "plan", "--format", "xlsx", "-o", str(book))
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(book))
    assert workbook.sheet_names == ["sessions", "allocations", "alerts"]
    sheet = workbook.get_sheet_by_name("sessions").to_python()
    assert len(sheet) == len(plan["sessions"]) + 1
    assert "must be json, csv or xlsx" in kw("export", "plan", "--format", "xml", expect=2).output
    assert "give a file with --output" in kw("export", "plan", "--format", "xlsx", expect=2).output


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_escaped() -> None:
    from scheduler.spreadsheet_export import Sheet, cell_safe, write_csv

    hostile = ['=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "A.B.", ""]
    assert [cell_safe(v) for v in hostile] == [
        "'=HYPERLINK(\"http://evil\")", "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "A.B.", "",
    ]  # fmt: skip
    out = io.StringIO()
    write_csv(out, Sheet("t", ("a",), [(v,) for v in hostile]))
    cells = [r[0] for r in csv.reader(io.StringIO(out.getvalue()))][1:]
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)

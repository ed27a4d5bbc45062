"""Issue 13: show handovers, show week [--team], and show child with its open alerts."""

from __future__ import annotations

import json
from pathlib import Path

from tests.pipeline.conftest import Run
from tests.pipeline.team import AS_OF, START, WORKERS, write_team

PLAN = ("plan", "--as-of", AS_OF, "--start", START, "--weeks", "2")


def _leaver_team(tmp_path: Path) -> Path:
    workers = [dict(w) for w in WORKERS]
    workers[2]["end_date"] = "2027-01-10"  # W003 leaves inside the horizon
    return write_team(tmp_path / "leaver", workers=workers)


def test_show_handovers_lists_each_joint_session_with_who_takes_over(
    kw: Run, tmp_path: Path
) -> None:
    kw("import", str(_leaver_team(tmp_path)))
    out = tmp_path / "plan.json"
    kw(*PLAN, "--commit", "--json", str(out))
    data = json.loads(out.read_text())
    joint = [s for s in data["sessions"] if s["with"]]
    assert joint, "the leaver's children get a joint handover session"
    shown = kw("show", "handovers", "--as-of", AS_OF).output
    assert f"Handovers from Mon 2027-01-04 08:00 ({len(joint)})" in shown
    for s in joint:
        assert s["id"] in shown
        change = next(a for a in data["allocations"] if a["child"] == s["child"] and a["changed"])
        line = next(row for row in shown.splitlines() if s["id"] in row)
        assert "W003" in line and change["key_worker"] in line and change["start"] in line


def test_show_week_is_a_timetable_of_one_team(kw: Run, team: Path, tmp_path: Path) -> None:
    kw("import", str(team))
    out = tmp_path / "plan.json"
    kw(*PLAN, "--commit", "--json", str(out))
    sessions = json.loads(out.read_text())["sessions"]
    shown = kw("show", "week", "--start", "2027-01-06", "--team", "North").output
    assert "Week of 2027-01-04, team North" in shown
    assert "Mon 04 Jan" in shown and "Sun 10 Jan" in shown
    first_week = [s for s in sessions if s["start"][:10] <= "2027-01-10"]
    for s in first_week:
        row = next(r for r in shown.splitlines() if r.startswith(s["worker"]))
        assert s["start"][11:16] in row  # UTC = London in January
    assert (
        "no team with reference 'South'" in kw("show", "week", "--team", "South", expect=2).output
    )


def test_show_child_lists_its_open_alerts(kw: Run, tmp_path: Path) -> None:
    kw("import", str(_leaver_team(tmp_path)))
    out = tmp_path / "plan.json"
    kw(*PLAN, "--commit", "--json", str(out))
    alerts = json.loads(out.read_text())["alerts"]
    child = next(a["child"] for a in alerts if a["kind"] == "KEYWORKER_CHANGE")
    shown = kw("show", "child", child).output
    mine = [a for a in alerts if a["child"] == child]
    assert f"Open alerts ({len(mine)})" in shown
    assert all(a["id"] in shown for a in mine)


def test_show_plan_json_is_the_whole_current_plan(kw: Run, team: Path, tmp_path: Path) -> None:
    """Allocations, sessions and alerts in the Plan JSON shape of SPEC, as committed;
    null before the first commit."""
    kw("import", str(team))
    assert json.loads(kw("show", "plan", "--json", "-").stdout) is None
    out = tmp_path / "plan.json"
    kw(*PLAN, "--commit", "--json", str(out))
    committed = json.loads(out.read_text())
    shown = json.loads(kw("show", "plan", "--json", "-").stdout)
    assert set(shown) == {"version", "committed", "horizon", "as_of", "allocations",
                          "sessions", "alerts", "metrics"}  # fmt: skip
    assert shown["committed"] is True and shown["version"] == committed["version"]
    assert shown["allocations"] == committed["allocations"]
    assert shown["alerts"] == committed["alerts"]
    assert {s["id"] for s in shown["sessions"]} == {s["id"] for s in committed["sessions"]}
    assert shown["sessions"] and shown["alerts"] is not None

"""Closed days through the real CLI and a real database (issue #12): no session on a
bank holiday unless ``closed_on_bank_holidays = false``, a team's closure touches only
that team, and a closure imported over a committed plan empties those days in the feeds
(frozen sessions by rule 8's exception, with ``FROZEN_CHANGE``)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.pipeline.conftest import CONFIG, Run
from tests.pipeline.team import AS_OF, CHILDREN, START, WORKERS, write_csv, write_team

LONDON = ZoneInfo("Europe/London")
CLOSED = {date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 28), date(2027, 1, 1)}
MON_FRI = "Mon 09:00-17:00;Fri 09:00-17:00"
CHRISTMAS = ("--as-of", "2026-12-20T12:00:00+00:00", "--start", "2026-12-21", "--weeks", "2")


def _plan(kw: Run, tmp_path: Path, *args: str, config: Path | None = None) -> dict[str, Any]:
    out = tmp_path / "plan.json"
    result = kw("plan", *args, "--json", str(out), config=config)
    plan: dict[str, Any] = json.loads(out.read_text())
    plan["output"] = result.output
    return plan


def _day(moment: str) -> date:
    return datetime.fromisoformat(moment).astimezone(LONDON).date()


def _mon_fri_team(directory: Path) -> Path:
    """Workers who work only Mondays and Fridays: Christmas 2026 leaves them one day."""
    workers = [{**w, "availability": MON_FRI} for w in WORKERS]
    plans = [{"child": c["ref"], "start_date": "2026-09-07", "sessions": "1",
              "session_minutes": "60"} for c in CHILDREN]  # fmt: skip
    return write_team(directory, workers=workers, plans=plans)


def test_no_session_on_bank_holidays_unless_configured_off(kw: Run, tmp_path: Path) -> None:
    kw("import", str(_mon_fri_team(tmp_path / "team")))

    plan = _plan(kw, tmp_path, *CHRISTMAS)
    days = [_day(s["start"]) for s in plan["sessions"]]
    assert days and not CLOSED.intersection(days), days
    assert set(days) == {date(2026, 12, 21)}
    # the second week has no open day: the manager is told why, and sees the closures
    unmet = [a for a in plan["alerts"] if a["kind"] == "UNMET_SESSIONS"]
    assert {a["start"] for a in unmet} == {"2026-12-28"}
    assert all("the team is closed for the rest of the period" in a["message"] for a in unmet)
    assert not any("absent" in a["message"] for a in plan["alerts"])
    assert "closed (no sessions):" in plan["output"]
    assert "Fri 25 Dec bank holiday: Christmas Day (every team)" in plan["output"]

    open_config = tmp_path / "open.toml"
    open_config.write_text(
        CONFIG.replace("[planning]", "[planning]\nclosed_on_bank_holidays = false")
    )
    plan = _plan(kw, tmp_path, *CHRISTMAS, config=open_config)
    days = [_day(s["start"]) for s in plan["sessions"]]
    assert {d for d in days if d >= date(2026, 12, 28)} <= CLOSED
    assert CLOSED.intersection(days)
    assert not [a for a in plan["alerts"] if a["kind"] == "UNMET_SESSIONS"]
    assert "closed (no sessions)" not in plan["output"]


def test_a_team_closure_closes_only_that_team(kw: Run, tmp_path: Path) -> None:
    wednesday = "Wed 09:00-17:00"
    workers = [
        {**WORKERS[0], "availability": wednesday},
        {**WORKERS[1], "team": "South", "availability": wednesday},
    ]
    children = [
        {**CHILDREN[0], "required_skills": ""},
        {**CHILDREN[1], "team": "South"},
    ]
    plans = [{"child": c["ref"], "start_date": "2026-09-07", "sessions": "1",
              "session_minutes": "60"} for c in children]  # fmt: skip
    directory = write_team(tmp_path / "team", workers=workers, children=children, plans=plans)
    write_csv(
        directory / "closures.csv",
        [{"team": "North", "start_date": "2027-01-06", "end_date": "2027-01-06",
          "note": "North team day"}],
    )  # fmt: skip
    kw("import", str(directory))

    plan = _plan(kw, tmp_path, "--as-of", AS_OF, "--start", START, "--weeks", "1")
    by_child = {s["child"]: s for s in plan["sessions"]}
    # South is open: its child is seen by W002 as usual
    assert by_child["YP-0002"]["worker"] == "W002"
    assert _day(by_child["YP-0002"]["start"]) == date(2027, 1, 6)
    # North is closed: nobody of North works; an open team's worker covers (rule 3)
    assert by_child["YP-0001"]["worker"] == "W002" and by_child["YP-0001"]["cover"]
    [cover] = [a for a in plan["alerts"] if a["kind"] == "COVER"]
    assert "W001's team North is closed on 2027-01-06 (North team day)" in cover["message"]
    assert "Wed 06 Jan North team day (North)" in plan["output"]


def test_a_closure_over_a_committed_plan_empties_those_days(
    kw: Run, team: Path, tmp_path: Path
) -> None:
    kw("import", str(team))
    first = _plan(kw, tmp_path, "--as-of", AS_OF, "--start", START, "--weeks", "2", "--commit")
    week = {date(2027, 1, 4) + timedelta(days=i) for i in range(5)}
    assert week.intersection(_day(s["start"]) for s in first["sessions"])
    freeze_end = datetime.fromisoformat(AS_OF) + timedelta(hours=48)
    in_week = sorted((s["start"], s["id"]) for s in first["sessions"] if _day(s["start"]) in week)
    kw("lock", in_week[-1][1])  # rule 8 fixes it as the freeze window fixes the earliest
    frozen_before = {sid for start, sid in in_week if datetime.fromisoformat(start) < freeze_end}
    frozen_before.add(in_week[-1][1])

    write_csv(
        tmp_path / "closures.csv",
        [{"team": "", "start_date": "2027-01-04", "end_date": "2027-01-08",
          "note": "office move"}],
    )  # fmt: skip
    kw("import", str(tmp_path / "closures.csv"))
    second = _plan(kw, tmp_path, "--as-of", AS_OF, "--start", START, "--weeks", "2", "--commit")
    assert not week.intersection(_day(s["start"]) for s in second["sessions"])
    frozen = [a for a in second["alerts"] if a["kind"] == "FROZEN_CHANGE"]
    assert {a["session"] for a in frozen} == frozen_before
    assert all("is closed on" in a["message"] and "office move" in a["message"] for a in frozen)

    export = tmp_path / "ics"
    kw("calendars", "export", str(export), "--as-of", AS_OF)
    for worker in ("W001", "W002", "W003"):
        calendar = Calendar.from_ical((export / f"{worker}.ics").read_bytes())
        starts = [e.decoded("DTSTART") for e in calendar.walk("VEVENT")]
        assert not week.intersection(s.astimezone(LONDON).date() for s in starts), worker


def test_show_closures_lists_team_days_and_bank_holidays(kw: Run, tmp_path: Path) -> None:
    directory = write_team(tmp_path / "team")
    write_csv(
        directory / "closures.csv",
        [{"team": "North", "start_date": "2026-12-23", "end_date": "2026-12-23",
          "note": "team away day"}],
    )  # fmt: skip
    kw("import", str(directory))
    out = kw("show", "closures", "--from", "2026-12-21", "--weeks", "2").output
    assert "Closed days 2026-12-21 .. 2027-01-03 (bank holidays of GB-ENG)" in out
    rows = [line.split(None, 2) for line in out.splitlines() if line.startswith("20")]
    assert [(r[0], r[2].split()[0]) for r in rows] == [
        ("2026-12-23", "North"),
        ("2026-12-25", "every"),
        ("2026-12-26", "every"),
        ("2026-12-28", "every"),
        ("2027-01-01", "every"),
    ]
    assert "bank holiday: Boxing Day (observed)" in out
    kw("show", "closures", "--from", "tomorrow", expect=2)


def test_a_closure_reduces_the_weeks_capacity(kw: Run, tmp_path: Path) -> None:
    # 5 hours over Mon-Fri; North closed Mon-Tue of the first week: 3 hours that week
    workers = [{**WORKERS[0], "hours_per_week": "5", "max_caseload": "5"}]
    children = [{**CHILDREN[0], "ref": f"YP-000{i}", "required_skills": "", "risk": "medium"}
                for i in range(1, 6)]  # fmt: skip
    plans = [{"child": c["ref"], "start_date": "2026-09-07", "sessions": "1",
              "session_minutes": "60"} for c in children]  # fmt: skip
    directory = write_team(tmp_path / "team", workers=workers, children=children, plans=plans)
    write_csv(
        directory / "closures.csv",
        [{"team": "North", "start_date": "2027-01-04", "end_date": "2027-01-05", "note": ""}],
    )
    kw("import", str(directory))
    plan = _plan(kw, tmp_path, "--as-of", AS_OF, "--start", START, "--weeks", "2")
    days = [_day(s["start"]) for s in plan["sessions"]]
    first_week = [d for d in days if d <= date(2027, 1, 10)]
    assert (len(first_week), len(days) - len(first_week)) == (3, 5)
    assert not {date(2027, 1, 4), date(2027, 1, 5)}.intersection(days)
    unmet = [a for a in plan["alerts"] if a["kind"] == "UNMET_SESSIONS"]
    assert [a["start"] for a in unmet] == ["2027-01-04", "2027-01-04"]
    assert "Mon 04 Jan to Tue 05 Jan team closure (North)" in plan["output"]

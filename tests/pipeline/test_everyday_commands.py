"""Issue 13: absence add/end/list, worker leaves and referral add from the command line,
validated as an import is, audited, and refusing bad input with the reason."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from scheduler.db import Database
from scheduler.models import Absence, AuditEntry, Child, SupportPlan, Worker
from tests.pipeline.conftest import Run
from tests.pipeline.team import AS_OF, START


def _audit(database: Database) -> list[tuple[str, dict[str, object]]]:
    with database.reading() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.action, json.loads(e.detail)) for e in rows]


def _absences(database: Database, ref: str) -> list[tuple[str, str, str, str | None]]:
    with database.reading() as session:
        rows = session.scalars(
            select(Absence).join(Worker).where(Worker.ref == ref).order_by(Absence.start_date)
        )
        return [(str(a.start_date), str(a.end_date), a.kind, a.note) for a in rows]


def test_absence_add_end_and_list(kw: Run, team: Path, database: Database) -> None:
    kw("import", str(team))
    added = kw("absence", "add", "W002", "2027-01-11", "2027-01-22", "--kind", "sickness",
               "--note", "flu")  # fmt: skip
    assert "W002 is away 2027-01-11 .. 2027-01-22 (sickness)" in added.output
    assert _absences(database, "W002") == [("2027-01-11", "2027-01-22", "sickness", "flu")]
    listed = kw("absence", "list", "--all")
    assert "W002" in listed.output and "sickness" in listed.output and "flu" in listed.output
    ended = kw("absence", "end", "W002", "2027-01-15")
    assert "now ends on 2027-01-15 (was 2027-01-22)" in ended.output
    # the kind and the note are kept: only the end date changed
    assert _absences(database, "W002") == [("2027-01-11", "2027-01-15", "sickness", "flu")]
    actions = [action for action, _ in _audit(database)]
    assert actions[-2:] == ["absence.add", "absence.end"]
    detail = _audit(database)[-2][1]
    assert detail["rows"] == {
        "absences.csv": {"worker": "W002", "start_date": "2027-01-11",
                         "end_date": "2027-01-22", "kind": "sickness", "note": "flu"}
    }  # fmt: skip
    # the absence is planned around
    plan = kw("plan", "--as-of", AS_OF, "--start", START, "--weeks", "3", "--json", "-")
    sessions = json.loads(plan.stdout[plan.stdout.index("{") :])["sessions"]
    assert not [
        s
        for s in sessions
        if s["worker"] == "W002" and "2027-01-11" <= s["start"][:10] <= "2027-01-15"
    ]


def test_bad_absences_are_refused_and_change_nothing(
    kw: Run, team: Path, database: Database
) -> None:
    kw("import", str(team))
    before = _audit(database)
    unknown = kw("absence", "add", "W999", "2027-01-11", "2027-01-12", expect=2)
    assert "no worker with reference 'W999'" in unknown.output
    backwards = kw("absence", "add", "W002", "2027-01-11", "2027-01-02", expect=2)
    assert "END: end_date 2027-01-02 is before start_date 2027-01-11" in backwards.output
    assert "nothing was changed" in backwards.output
    kind = kw("absence", "add", "W002", "2027-01-11", "2027-01-12", "--kind", "holiday",
              expect=2)  # fmt: skip
    assert "--kind:" in kind.output
    none = kw("absence", "end", "W002", "2027-01-15", expect=2)
    assert "W002 has no absence that includes 2027-01-15" in none.output
    assert _absences(database, "W002") == []
    assert _audit(database) == before


def test_worker_leaves_sets_the_last_day_and_keeps_everything_else(
    kw: Run, team: Path, database: Database
) -> None:
    kw("import", str(team))
    with database.reading() as session:
        worker = session.scalars(select(Worker).where(Worker.ref == "W001")).one()
        skills, languages, windows = worker.skills, worker.languages, len(worker.windows)
    result = kw("worker", "leaves", "W001", "2027-01-15")
    assert "W001 leaves after 2027-01-15" in result.output
    with database.reading() as session:
        worker = session.scalars(select(Worker).where(Worker.ref == "W001")).one()
        assert str(worker.end_date) == "2027-01-15"
        assert (worker.skills, worker.languages, len(worker.windows)) == (
            skills,
            languages,
            windows,
        )
    assert _audit(database)[-1][0] == "worker.leaves"
    plan = kw("plan", "--as-of", AS_OF, "--start", START, "--weeks", "3")
    assert "W001 leaves on 2027-01-15" in plan.output
    bad = kw("worker", "leaves", "W001", "15/01/2027", expect=2)
    assert "LAST_DAY '15/01/2027' is not a date written YYYY-MM-DD" in bad.output


def test_referral_add_creates_the_child_and_plan_and_refuses_a_known_child(
    kw: Run, team: Path, database: Database
) -> None:
    kw("import", str(team))
    result = kw("referral", "add", "YP-0101", "--team", "North", "--start", "2027-01-04",
                "--sessions", "1", "--session-minutes", "60", "--risk", "high",
                "--required-skills", "cse", "--availability", "Mon 16:00-19:00")  # fmt: skip
    assert "YP-0101 referred to North from 2027-01-04" in result.output
    with database.reading() as session:
        child = session.scalars(select(Child).where(Child.ref == "YP-0101")).one()
        assert child.risk == "high"
        plans = session.scalars(select(SupportPlan).where(SupportPlan.child_id == child.id))
        assert [(p.sessions, p.session_minutes, str(p.start_date)) for p in plans] == [
            (1, 60, "2027-01-04")
        ]
    assert _audit(database)[-1][0] == "referral.add"
    again = kw("referral", "add", "YP-0101", "--team", "North", "--start", "2027-01-04",
               "--sessions", "1", "--session-minutes", "60", expect=2)  # fmt: skip
    assert "YP-0101 is already known" in again.output
    bad = kw("referral", "add", "YP-0102", "--team", "North", "--start", "2027-01-04",
             "--sessions", "9", "--session-minutes", "61", "--risk", "extreme",
             expect=2)  # fmt: skip
    assert "--sessions:" in bad.output and "--session-minutes:" in bad.output
    assert "--risk:" in bad.output
    with database.reading() as session:
        assert session.scalar(select(Child).where(Child.ref == "YP-0102")) is None


def test_everyday_errors_list_the_root_cause_and_count_what_follows_from_it(
    kw: Run, team: Path, database: Database
) -> None:
    """As 'import' prints them: the failed child row, then one line counting the plan
    row that fails only because of it, then the total."""
    kw("import", str(team))
    before = _audit(database)
    bad = kw("referral", "add", "YP-0103", "--team", "North", "--start", "2027-01-04",
             "--sessions", "1", "--session-minutes", "60", "--risk", "extreme",
             expect=2)  # fmt: skip
    assert bad.output.splitlines() == [
        "--risk: risk must be one of low, medium, high (value: 'extreme')",
        "and 1 more error in plans.csv caused by the child above whose row failed",
        "2 error(s); nothing was changed.",
    ]
    absence = kw("absence", "add", "W002", "2027-01-11", "2027-01-02", expect=2)
    assert absence.output.splitlines() == [
        "END: end_date 2027-01-02 is before start_date 2027-01-11 (value: '2027-01-02')",
        "1 error(s); nothing was changed.",
    ]
    assert _audit(database) == before

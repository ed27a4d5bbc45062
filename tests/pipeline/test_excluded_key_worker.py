"""Issue 11, defect 1: a child who excludes their current key worker asks to change.

SPEC children.csv: ``excluded_workers`` may name the child's own ``key_worker``; the
import takes it, and the next plan gives the child another key worker (a
``KEYWORKER_CHANGE``, reason: excluded). Frozen and locked sessions with that worker go
to another worker or are cancelled, with ``FROZEN_CHANGE`` (rule 8's exception). Each
test runs the real CLI, the real database and the real solve.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from scheduler.db import Database
from scheduler.models import AuditEntry, Child, KeyWorkerHistory, Worker
from tests.pipeline.conftest import Run
from tests.pipeline.team import AS_OF, CHILDREN, START, write_team

PLAN = ("plan", "--start", START, "--weeks", "2")


def _excluding(exclude: str = "W001") -> list[dict[str, str]]:
    children = [dict(c) for c in CHILDREN]
    children[0]["excluded_workers"] = exclude  # YP-0001, whose key worker is W001
    return children


def _plan(kw: Run, out: Path, *args: str, as_of: str = AS_OF) -> dict[str, Any]:
    kw(*PLAN, "--as-of", as_of, "--json", str(out), *args)
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def _of(data: dict[str, Any], part: str, child: str = "YP-0001") -> list[dict[str, Any]]:
    return [x for x in data[part] if x["child"] == child]


def _never_with(data: dict[str, Any], worker: str, child: str = "YP-0001") -> None:
    """Rule 3: the excluded worker is never key, secondary, or at a non-frozen session."""
    for a in _of(data, "allocations", child):
        assert worker not in (a["key_worker"], a["secondary_worker"]), a
    frozen = {f["session"] for f in data["alerts"] if f["kind"] == "FROZEN_CHANGE"}
    for s in _of(data, "sessions", child):
        if s["id"] not in frozen and not s["past"]:
            assert worker not in (s["worker"], s["with"]), s


def _excluded_audit(database: Database) -> list[dict[str, object]]:
    with database.reading() as session:
        details = session.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.action == "import.key_worker_excluded")
            .order_by(AuditEntry.id)
        ).all()
    return [json.loads(d) for d in details]


def _key_history(database: Database, child: str = "YP-0001") -> list[tuple[str, str | None]]:
    with database.reading() as session:
        rows = session.execute(
            select(Worker.ref, KeyWorkerHistory.reason)
            .join(Worker, KeyWorkerHistory.worker_id == Worker.id)
            .join(Child, KeyWorkerHistory.child_id == Child.id)
            .where(Child.ref == child, KeyWorkerHistory.role == "key")
            .order_by(KeyWorkerHistory.start_date, KeyWorkerHistory.id)
        ).tuples()
        return list(rows)


def test_defect1_exclusion_of_the_imported_key_worker_is_accepted_and_changes_them(
    kw: Run, tmp_path: Path, database: Database
) -> None:
    imported = kw("import", str(write_team(tmp_path / "t", children=_excluding())))
    assert "YP-0001 excludes their key worker W001" in imported.output
    assert _excluded_audit(database) == [
        {"child": "YP-0001", "worker": "W001", "reason": "excluded"}
    ]

    data = _plan(kw, tmp_path / "p.json", "--commit")

    first = _of(data, "allocations")[0]
    assert first["start"] == START and first["key_worker"] not in (None, "W001")
    assert first["changed"] is True and "excluded" in first["reason"]
    _never_with(data, "W001")
    (change,) = [a for a in _of(data, "alerts") if a["kind"] == "KEYWORKER_CHANGE"]
    assert change["start"] == START
    assert f"W001 -> {first['key_worker']}" in change["message"]
    assert "YP-0001 has excluded W001" in change["message"]
    # The committed change is recorded with its reason; the import's request was audited.
    assert _key_history(database)[-1] == (first["key_worker"], first["reason"])
    # Importing the same file again asks nothing new: no second note, no second entry.
    again = kw("import", str(write_team(tmp_path / "t", children=_excluding())))
    assert "excludes" not in again.output
    assert len(_excluded_audit(database)) == 1


def test_defect1_exclusion_added_after_a_committed_plan_moves_frozen_and_locked_sessions(
    kw: Run, tmp_path: Path, database: Database
) -> None:
    kw("import", str(write_team(tmp_path / "t")))
    before = _plan(kw, tmp_path / "before.json", "--commit")
    assert {a["key_worker"] for a in _of(before, "allocations")} == {"W001"}
    first, last = sorted(_of(before, "sessions"), key=lambda s: s["start"])
    assert first["worker"] == last["worker"] == "W001"
    kw("lock", last["id"])  # locked: kept under rule 8 however far away

    # The child tells their worker they do not want to see W001 again; the case record
    # still names W001 as key worker, and so does the committed plan.
    imported = kw("import", str(write_team(tmp_path / "u", children=_excluding())))
    assert "YP-0001 excludes their key worker W001" in imported.output
    # Re-plan a day before the first session: it is inside the 48-hour freeze window.
    as_of = (datetime.fromisoformat(first["start"]) - timedelta(hours=24)).isoformat()
    after = _plan(kw, tmp_path / "after.json", "--commit", as_of=as_of)

    allocations = _of(after, "allocations")
    assert allocations[0]["start"] == START and allocations[0]["changed"] is True
    assert "excluded" in allocations[0]["reason"]
    _never_with(after, "W001")
    frozen = {f["session"]: f for f in _of(after, "alerts") if f["kind"] == "FROZEN_CHANGE"}
    assert set(frozen) == {first["id"], last["id"]}
    assert all(f["severity"] == "high" for f in frozen.values())
    sessions = {s["id"]: s for s in _of(after, "sessions")}
    for held in (first, last):
        if held["id"] in sessions:  # moved to another worker at the same time, not removed
            moved = sessions[held["id"]]
            assert moved["start"] == held["start"] and "W001" not in (
                moved["worker"],
                moved["with"],
            )
            assert f"moves from W001 to {moved['worker']}" in frozen[held["id"]]["message"]
        assert "excluded" in frozen[held["id"]]["message"]
    (change,) = [a for a in _of(after, "alerts") if a["kind"] == "KEYWORKER_CHANGE"]
    assert "YP-0001 has excluded W001" in change["message"]
    assert _key_history(database)[-1][1] == allocations[0]["reason"]


def test_defect1_exclusion_beats_a_pin_and_the_pin_to_an_excluded_worker_stays_refused(
    kw: Run, tmp_path: Path, database: Database
) -> None:
    kw("import", str(write_team(tmp_path / "t")))
    kw("pin", "YP-0001", "W001")
    kw(*PLAN, "--as-of", AS_OF, "--commit")

    imported = kw("import", str(write_team(tmp_path / "u", children=_excluding())))
    assert "the pin to W001 cannot be kept: unpin YP-0001" in imported.output
    after = _plan(kw, tmp_path / "after.json")
    _never_with(after, "W001")
    assert "YP-0001 has excluded W001" in _of(after, "allocations")[0]["reason"]

    kw("unpin", "YP-0001")
    refused = kw("pin", "YP-0001", "W001", expect=2)
    assert "W001 is in YP-0001's excluded workers" in refused.output
    with database.reading() as session:
        assert (
            session.scalars(select(Child.pinned_worker_id).where(Child.ref == "YP-0001")).one()
            is None
        )


def test_defect1_an_excluded_secondary_worker_is_replaced_too(kw: Run, tmp_path: Path) -> None:
    kw("import", str(write_team(tmp_path / "t")))
    before = _plan(kw, tmp_path / "before.json", "--commit")
    (secondary,) = {a["secondary_worker"] for a in _of(before, "allocations")}
    assert secondary not in (None, "W001")

    imported = kw("import", str(write_team(tmp_path / "u", children=_excluding(secondary))))
    assert "excludes" not in imported.output  # not the key worker: an ordinary update
    after = _plan(kw, tmp_path / "after.json")
    _never_with(after, secondary)
    assert {a["key_worker"] for a in _of(after, "allocations")} == {"W001"}


def test_defect1_sessions_moved_to_the_new_key_worker_say_so(kw: Run, tmp_path: Path) -> None:
    """A manager reading the changes must not be told "key worker unchanged" for a
    session that moves from the excluded worker to the child's new key worker."""
    kw("import", str(write_team(tmp_path / "t")))
    _plan(kw, tmp_path / "before.json", "--commit")
    kw("import", str(write_team(tmp_path / "u", children=_excluding())))
    shown = kw(*PLAN, "--as-of", AS_OF, "--verbose").output
    after = _plan(kw, tmp_path / "after.json")
    new_key = _of(after, "allocations")[0]["key_worker"]
    moved = [
        line.strip()
        for line in shown.splitlines()
        if line.strip().startswith("YP-0001:") and " moves to " in line
    ]
    assert moved, shown
    assert "key worker unchanged" not in shown
    for line in moved:
        if line.split(" moves to ", 1)[1].find(f"with {new_key}") >= 0:
            assert line.endswith("now with the key worker"), line

"""Issue 12.1: the commit is the plan that was previewed.

``plan`` stores its proposal with a fingerprint of what it was made from; ``plan
--commit`` commits that stored plan when nothing has changed, and otherwise plans
again and lists what differs from the preview. Real CLI, real database.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from scheduler.db import Database
from scheduler.models import PlanProposal
from tests.pipeline.conftest import Run
from tests.pipeline.team import AS_OF, START, write_csv

PLAN = ("plan", "--start", START, "--weeks", "2")
LATER = "2027-01-04T08:05:00+00:00"  # five minutes after the preview


def _plan_of(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    return {
        "allocations": data["allocations"],
        "sessions": data["sessions"],
        "alerts": [(a["id"], a["kind"], a["start"], a["end"]) for a in data["alerts"]],
    }


def test_commit_after_a_preview_commits_exactly_the_previewed_plan(
    kw: Run, team: Path, database: Database, tmp_path: Path
) -> None:
    kw("import", str(team))
    preview, committed = tmp_path / "preview.json", tmp_path / "committed.json"
    shown = kw(*PLAN, "--as-of", AS_OF, "--json", str(preview))
    assert "stored as proposal 1" in shown.output
    result = kw(*PLAN, "--as-of", LATER, "--commit", "--json", str(committed))
    assert "this is proposal 1 exactly as previewed: nothing has changed since" in result.output
    assert "committed as version 1" in result.output
    assert _plan_of(committed) == _plan_of(preview)
    assert json.loads(committed.read_text())["committed"] is True


def test_a_change_since_the_preview_plans_again_and_lists_the_differences(
    kw: Run, team: Path, database: Database, tmp_path: Path
) -> None:
    kw("import", str(team))
    preview = tmp_path / "preview.json"
    kw(*PLAN, "--as-of", AS_OF, "--json", str(preview))
    busiest = max(
        {s["worker"] for s in json.loads(preview.read_text())["sessions"]},
        key=lambda w: sum(s["worker"] == w for s in json.loads(preview.read_text())["sessions"]),
    )
    absences = write_csv(
        tmp_path / "absences.csv",
        [{"worker": busiest, "start_date": "2027-01-06", "end_date": "2027-01-15"}],
    )
    kw("import", str(absences))
    result = kw(*PLAN, "--as-of", LATER, "--commit")
    assert "planned again, not proposal 1 as previewed: what it was made from has changed" in (
        result.output
    )
    assert "differences from the preview:" in result.output
    assert "in the preview" in result.output or "no longer planned" in result.output
    assert "committed as version 1" in result.output


def test_a_preview_overtaken_by_the_clock_is_not_committed(
    kw: Run, team: Path, database: Database, tmp_path: Path
) -> None:
    kw("import", str(team))
    preview = tmp_path / "preview.json"
    kw(*PLAN, "--as-of", AS_OF, "--json", str(preview))
    first = min(
        dt.datetime.fromisoformat(s["start"]) for s in json.loads(preview.read_text())["sessions"]
    )
    # commit once the preview's first session has begun: adding it now would break rule 1
    later = (first + dt.timedelta(minutes=1)).isoformat()
    result = kw(*PLAN, "--as-of", later, "--commit")
    assert "the time has moved past part of it" in result.output


def test_commit_a_named_proposal_and_refuse_an_unknown_one(
    kw: Run, team: Path, database: Database, tmp_path: Path
) -> None:
    kw("import", str(team))
    kw(*PLAN, "--as-of", AS_OF)
    result = kw("plan", "--commit", "--proposal", "1", "--as-of", LATER)
    assert "this is proposal 1 exactly as previewed" in result.output
    missing = kw("plan", "--commit", "--proposal", "99", expect=2)
    assert "no stored proposal with reference '99'" in missing.output
    mixed = kw("plan", "--commit", "--proposal", "1", "--weeks", "3", expect=2)
    assert "--proposal takes its horizon and teams from the proposal" in mixed.output


def test_only_the_newest_proposals_are_kept(
    kw: Run, team: Path, database: Database, tmp_path: Path
) -> None:
    from scheduler import proposals

    kw("import", str(team))
    for _ in range(3):
        kw(*PLAN, "--as-of", AS_OF)
    with database.reading() as session:
        count = session.scalar(select(func.count()).select_from(PlanProposal))
    assert count == min(3, proposals.KEEP)

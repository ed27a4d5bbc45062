"""A real ``keyworker plan --commit`` killed with SIGKILL leaves the old plan or the new one.

The process is killed at staggered moments after the solve finishes (the commit
starts right then), so the kill lands before, inside and after the transaction.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from scheduler.db import Database
from scheduler.demo import write_demo
from scheduler.models import AuditEntry, Child, PlanAllocation, PlanVersion, SupportPlan
from scheduler.models import Session as PlanSession
from tests.pipeline.conftest import Run

KEYWORKER = str(Path(sys.executable).parent / "keyworker")


def _state(database: Database) -> tuple[int, int]:
    """(committed versions, planned children) after checking the store is consistent."""
    with database.reading() as session:
        versions = list(session.scalars(select(PlanVersion).order_by(PlanVersion.id)))
        commits = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "plan.commit")
        )
        assert commits == len(versions), "every version has its audit entry and no more"
        current = [v for v in versions if v.is_current]
        assert len(current) == (1 if versions else 0)
        children_with_plans = session.scalar(
            select(func.count(func.distinct(SupportPlan.child_id)))
        )
        for version in versions:
            allocated = session.scalar(
                select(func.count(func.distinct(PlanAllocation.child_id))).where(
                    PlanAllocation.plan_version_id == version.id
                )
            )
            assert allocated == version.metrics["children"], "a version is whole or absent"
        orphans = session.scalar(
            select(func.count())
            .select_from(PlanSession)
            .where(PlanSession.created_in.not_in([v.id for v in versions] or [-1]))
        )
        assert orphans == 0
        assert session.scalar(select(func.count()).select_from(Child)) == 90
        assert children_with_plans
        return len(versions), children_with_plans


def test_sigkill_during_commit_leaves_a_whole_plan(
    kw: Run, db_url: str, database: Database, tmp_path: Path
) -> None:
    config = tmp_path / "fast.toml"
    # the kills land around the commit, not the search: a short search is enough
    config.write_text("[planning]\ntime_limit_seconds = 2\n", encoding="utf-8")
    write_demo(tmp_path / "demo", date(2027, 1, 4))
    kw("import", str(tmp_path / "demo"))
    command = [
        KEYWORKER, "--db", db_url, "--config", str(config), "plan", "--commit",
        "--as-of", "2027-01-04T08:00:00+00:00", "--start", "2027-01-04", "--weeks", "1",
    ]  # fmt: skip
    seen_versions = 0
    for delay in (0.0, 0.03, 0.1, 30.0):
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path, text=True
        )
        try:
            assert process.stderr is not None
            lines = []
            for line in process.stderr:
                lines.append(line)
                if line.strip() == "... done":  # the solve is over; the commit starts now
                    break
            if delay < 30:
                time.sleep(delay)
                os.kill(process.pid, signal.SIGKILL)
            rest = process.stderr.read() if delay >= 30 else ""
            process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stderr is not None:
                process.stderr.close()
        versions, _ = _state(database)
        assert versions in (seen_versions, seen_versions + 1)
        seen_versions = versions
    assert process.returncode == 0, f"the last run is left to finish: {lines} {rest}"
    assert seen_versions >= 1

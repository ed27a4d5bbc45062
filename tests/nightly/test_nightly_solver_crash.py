"""Issue #12 part 6: a crash inside OR-Tools no longer takes ``serve`` down.

A native CHECK failure in CP-SAT aborts the process it runs in. The nightly solve
now runs in a spawned child; the test hook ``KEYWORKER_TEST_CRASH_SOLVER=1`` makes
that child abort as such a crash would. ``serve`` must keep serving feeds, record the
run as failed with its reason, raise the failure alert, and keep the plan.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from calendars import FeedOwner, current_token, refresh_feeds
from scheduler.db import Database
from scheduler.solve_process import CRASH_HOOK_ENV
from tests.factories import NOW
from tests.nightly.nightly_support import (
    commit_plan,
    current_version,
    load_team,
    minutes_ago_hhmm,
    nightly_settings,
    runs_of,
    serving_processes,
    start_serve,
    wait_for,
    write_config,
)

pytestmark = pytest.mark.slow


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=5)
    except httpx.TransportError:
        return None


def test_a_solver_crash_leaves_serve_serving_and_records_the_failed_run(
    db_url: str, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_team(database, tmp_path / "team")
    commit_plan(database, nightly_settings(), NOW - timedelta(days=1))
    with database.transaction() as session:
        token = current_token(session, FeedOwner("worker", "W001"), key=bytes(32), now=NOW)
        refresh_feeds(session, now=NOW, settings=nightly_settings())
    config = write_config(tmp_path / "keyworker.toml", nightly_time=minutes_ago_hhmm(12 * 60))
    monkeypatch.setenv(CRASH_HOOK_ENV, "1")  # the serve process's solver child aborts
    with serving_processes() as procs:
        proc = start_serve(db_url, config, tmp_path, name="crashing", run_now=True)
        procs.append(proc)
        failed = wait_for(
            "the failed run",
            lambda: [r for r in runs_of(database) if r.outcome == "failed"],
            timeout=60,
            procs=[proc],
        )
        assert failed[0].error is not None
        assert "solver process died of SIGABRT" in failed[0].error
        assert "nothing was committed" in failed[0].error
        # the server lives on: the feed is served, /healthz tells what happened
        feed = wait_for("the feed", lambda: _get(f"{proc.url}/feeds/{token}.ics"), procs=[proc])
        assert feed.status_code == 200 and feed.content.startswith(b"BEGIN:VCALENDAR")
        health = _get(f"{proc.url}/healthz")
        assert health is not None and health.status_code == 503
        assert "SIGABRT" in health.json()["reason"]
        assert proc.process.poll() is None
        assert proc.terminate() < 6
    current = current_version(database)
    assert current is not None and current.id == 1  # the plan stays

"""``keyworker serve`` as real processes on a real database (issue 6).

Each test starts ``serve`` through ``serve_proc.py`` (the real command line) with
its own config and a free port, and reads the database the processes share. A run
can be held inside its commit transaction (``pause_seconds``) so the test can
``kill -9`` or SIGTERM it there.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text

from scheduler.alerts import alert_id
from scheduler.db import Database
from scheduler.models import Alert, Base
from tests.factories import NOW
from tests.nightly.nightly_support import (
    SERVE_PROC,
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


@pytest.fixture
def team(database: Database, tmp_path: Path) -> Database:
    """The small team with a committed plan (version 1), as before any nightly run."""
    load_team(database, tmp_path / "team")
    commit_plan(database, nightly_settings(), NOW - timedelta(days=1))
    return database


def successes(database: Database) -> list[int]:
    return [r.id for r in runs_of(database) if r.outcome == "success"]


def test_two_serve_processes_run_a_missed_night_once_never_at_once(
    db_url: str, team: Database, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "keyworker.toml", nightly_time=minutes_ago_hhmm(3))
    with serving_processes() as procs:
        # "a" catches up the missed night and is held after solving; "b" starts then,
        # sees the night not done either, and must wait for "a" instead of running too.
        # 15 s: on a loaded 2-core machine b's start-up alone took over 5 s, and a had
        # committed before b looked, so b never had to wait
        a = start_serve(db_url, config, tmp_path, name="a", pause_seconds=15, pause_at="solved")
        procs.append(a)
        wait_for("a's run to have solved", a.paused, timeout=40, procs=procs)
        b = start_serve(db_url, config, tmp_path, name="b")
        procs.append(b)
        wait_for("b to catch up too", lambda: "catching up" in b.output(), procs=procs)
        wait_for("a successful run", lambda: successes(team), timeout=40, procs=procs)
        wait_for("b to skip the night", lambda: "already succeeded" in b.output(), procs=procs)
        for proc in procs:
            assert proc.terminate() < 6, proc.output()
    runs = runs_of(team)
    assert [(r.trigger, r.outcome, r.pid) for r in runs] == [
        ("startup", "success", a.process.pid)
    ], [p.output() for p in procs]
    assert "started" not in b.output()  # b never ran: it waited for the lease, then looked
    current = current_version(team)
    assert current is not None and current.id == 2 and current.committed_by == "nightly"
    with team.engine.connect() as connection:
        jobs = connection.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all()
    assert jobs == ["keyworker-nightly-replan"]


def test_kill_9_inside_the_commit_keeps_the_plan_and_the_next_start_completes_it(
    db_url: str, team: Database, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "keyworker.toml", nightly_time=minutes_ago_hhmm(3))
    with serving_processes() as procs:
        first = start_serve(db_url, config, tmp_path, name="first", pause_seconds=60)
        procs.append(first)
        wait_for("the run to reach its commit", first.paused, timeout=40, procs=[first])
        first.process.kill()  # kill -9 with the transaction open
        first.process.wait(timeout=10)

        current = current_version(team)
        assert current is not None and current.id == 1, "the previous plan is intact"
        [cut] = runs_of(team)
        assert cut.outcome == "running"  # nobody could record anything

        second = start_serve(db_url, config, tmp_path, name="second")
        procs.append(second)
        wait_for("the catch-up run", lambda: successes(team), timeout=40, procs=[second])
        assert second.terminate() < 6
    cut, done = runs_of(team)
    assert cut.outcome == "failed" and cut.error is not None and "abandoned" in cut.error
    assert (done.trigger, done.outcome) == ("startup", "success")
    assert done.scheduled_for == cut.scheduled_for
    current = current_version(team)
    assert current is not None and current.id == 2 and done.plan_version_id == 2


@pytest.mark.parametrize("pause", [1.0, 60.0], ids=["run-notices", "run-stuck"])
def test_sigterm_during_a_run_exits_within_seconds_without_a_partial_commit(
    db_url: str, team: Database, tmp_path: Path, pause: float
) -> None:
    config = write_config(tmp_path / "keyworker.toml", nightly_time=minutes_ago_hhmm(12 * 60))
    with serving_processes() as procs:
        proc = start_serve(
            db_url, config, tmp_path, name="serve", run_now=True, pause_seconds=pause
        )
        procs.append(proc)
        wait_for("the run to reach its commit", proc.paused, timeout=40, procs=[proc])
        took = proc.terminate()
    assert took < 5, proc.output()
    current = current_version(team)
    assert current is not None and current.id == 1, "nothing of the run was committed"
    [run] = runs_of(team)
    assert run.outcome != "success"
    if pause < 2:  # the run saw the stop at its next check and rolled back itself
        assert (run.outcome, run.error) == ("failed", "abandoned: the service was stopping")
        assert proc.process.returncode == 0


def test_a_failing_run_then_a_retry_with_healthz_and_runs(
    db_url: str, team: Database, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "keyworker.toml", nightly_time=minutes_ago_hhmm(12 * 60))
    with team.engine.begin() as connection:
        connection.execute(text("DROP TABLE worker_windows"))  # the data cannot be loaded
    try:
        with serving_processes() as procs:
            proc = start_serve(db_url, config, tmp_path, name="failing", run_now=True)
            procs.append(proc)
            wait_for(
                "the failed run",
                lambda: [r for r in runs_of(team) if r.outcome == "failed"],
                procs=[proc],
            )
            health = wait_for("/healthz", lambda: _get(f"{proc.url}/healthz"), procs=[proc])
            assert health.status_code == 503
            assert "worker_windows" in health.json()["reason"]
            assert proc.terminate() < 6
    finally:
        Base.metadata.tables["worker_windows"].create(team.engine, checkfirst=True)
    current = current_version(team)
    assert current is not None and current.id == 1
    identity = (
        "NIGHTLY_FAILED||"
        + runs_of(team)[0].started_at.astimezone(nightly_settings().zone).date().isoformat()
    )
    with team.reading() as session:
        alert = session.get(Alert, alert_id(identity))
        assert alert is not None and (alert.severity, alert.status) == ("high", "open")

    with serving_processes() as procs:
        proc = start_serve(db_url, config, tmp_path, name="retry", run_now=True)
        procs.append(proc)
        wait_for("the retry", lambda: successes(team), timeout=40, procs=[proc])
        health = wait_for("/healthz", lambda: _get(f"{proc.url}/healthz"), procs=[proc])
        assert health.status_code == 200, health.text
        assert proc.terminate() < 6
    with team.reading() as session:
        alert = session.scalar(select(Alert).where(Alert.identity == identity))
        assert alert is not None and alert.status == "resolved"

    listed = subprocess.run(
        [sys.executable, str(SERVE_PROC), "--db", db_url, "--config", str(config), "runs"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = listed.stdout.splitlines()
    assert "success" in lines[2] and "run-now" in lines[2]
    assert "failed" in lines[3] and "worker_windows" in lines[3]


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=5)
    except httpx.TransportError:
        return None


def test_serve_on_a_port_in_use_exits_1_and_says_so(db_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path / "keyworker.toml", nightly_time=minutes_ago_hhmm(12 * 60))
    with socket.socket() as taken, serving_processes() as procs:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = start_serve(db_url, config, tmp_path, name="serve", port=port)
        procs.append(proc)
        assert proc.process.wait(timeout=30) == 1, proc.output()
    assert f"error: cannot serve on 127.0.0.1:{port}" in proc.output()

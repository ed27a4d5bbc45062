"""The nightly job in-process, with the real pipeline and a real database (issue 6)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from calendars import serving
from scheduler import lease, nightly, replan
from scheduler.alerts import alert_id
from scheduler.db import Database
from scheduler.models import Alert, Base, FeedCache, NightlyRun, PlanVersion
from scheduler.models import Session as PlanSession
from scheduler.pipeline import PlanRequest
from scheduler.settings import Settings
from tests.factories import NOW
from tests.nightly.nightly_support import (
    commit_plan,
    current_version,
    feeds_hook,
    load_team,
    nightly_settings,
    runs_of,
)

SLOT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 02:00 London on NOW's night


class Clock:
    """A clock the test moves; each reading is a little later, like a real one."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@pytest.fixture
def team(database: Database, tmp_path: Path) -> Database:
    load_team(database, tmp_path / "team")
    return database


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A real HTTP endpoint that records what the alert delivery posts to it."""
    received: list[dict[str, Any]] = []

    async def hook(request: Request) -> Response:
        received.append(await request.json())
        return Response(status_code=204)

    with serving(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield f"{url}/hook", received


def runtime_for(
    database: Database, settings: Settings, clock: Clock, **options: Any
) -> nightly.NightlyRuntime:
    return nightly.NightlyRuntime(
        database,
        settings,
        clock=clock,
        after_commit=feeds_hook(settings),
        lease_poll_seconds=0.05,
        **options,
    )


def plan_rows(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """The stored plan: versions, sessions, allocations (for 'nothing changed')."""
    out = {}
    with database.engine.connect() as connection:
        for name in ("plan_versions", "plan_allocations", "sessions", "key_worker_history"):
            table = Base.metadata.tables[name]
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            out[name] = [tuple(r) for r in rows]
    return out


def test_a_scheduled_run_commits_like_plan_commit_and_is_recorded(team: Database) -> None:
    settings = nightly_settings()
    before = commit_plan(team, settings, NOW - timedelta(days=1))
    result = nightly.run_night(runtime_for(team, settings, Clock(NOW)), trigger="schedule")

    assert result.outcome == "success", result.detail
    [run] = runs_of(team)
    current = current_version(team)
    assert current is not None and current.id == before + 1
    assert current.committed_by == "nightly"
    assert (run.trigger, run.outcome, run.scheduled_for) == ("schedule", "success", SLOT)
    assert run.started_at > NOW and run.finished_at is not None
    assert run.finished_at >= run.started_at
    assert run.plan_version_id == current.id
    assert run.changes is not None and run.alerts is not None
    with team.reading() as session:
        raised = session.scalar(
            select(func.count()).select_from(Alert).where(Alert.last_seen_version == current.id)
        )
        feeds = session.scalar(select(func.count()).select_from(FeedCache))
    assert run.alerts == raised
    assert feeds, "the feeds are refreshed in the commit, as plan --commit does"
    assert run.error is None
    assert lease.current_holder(team, nightly.LEASE_NAME, now=NOW) is None, "lease released"


def test_one_successful_run_per_night_restarts_and_repeats_skip(team: Database) -> None:
    settings = nightly_settings()
    clock = Clock(NOW)
    runtime = runtime_for(team, settings, clock)
    assert nightly.run_night(runtime, trigger="schedule").outcome == "success"

    clock.now = NOW + timedelta(hours=1)
    again = nightly.run_night(runtime, trigger="schedule")
    assert again.outcome == "skipped" and "already succeeded" in again.detail
    catch_up = nightly.run_night(runtime, trigger="startup", slot=SLOT)
    assert catch_up.outcome == "skipped"
    assert len(runs_of(team)) == 1

    # A manager's run-now always runs; the next night runs again.
    assert nightly.run_night(runtime, trigger="run-now").outcome == "success"
    clock.now = NOW + timedelta(days=1)
    assert nightly.run_night(runtime, trigger="schedule").outcome == "success"
    runs = runs_of(team)
    assert [(r.trigger, r.outcome) for r in runs] == [
        ("schedule", "success"),
        ("run-now", "success"),
        ("schedule", "success"),
    ]
    assert runs[1].scheduled_for is None
    assert runs[2].scheduled_for == SLOT + timedelta(days=1)


def test_the_repeated_0130_of_2027_10_31_gives_one_run(team: Database) -> None:
    settings = nightly_settings(nightly_time=time(1, 30))
    first = datetime(2027, 10, 31, 0, 30, 5, tzinfo=UTC)  # 01:30:05 BST
    clock = Clock(first)
    runtime = runtime_for(team, settings, clock)
    assert nightly.run_night(runtime, trigger="schedule").outcome == "success"

    clock.now = datetime(2027, 10, 31, 1, 30, 5, tzinfo=UTC)  # 01:30:05 GMT, the repeat
    assert nightly.run_night(runtime, trigger="schedule").outcome == "skipped"
    # Even a scheduler that fired at the repeat (plain CronTrigger does) is turned away.
    repeat = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert nightly.run_night(runtime, trigger="schedule", slot=repeat).outcome == "skipped"
    [run] = runs_of(team)
    assert run.scheduled_for == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_the_missing_0130_of_2027_03_28_gives_one_run(team: Database) -> None:
    settings = nightly_settings(nightly_time=time(1, 30))
    clock = Clock(datetime(2027, 3, 28, 1, 30, 5, tzinfo=UTC))  # 02:30:05 BST
    runtime = runtime_for(team, settings, clock)
    assert nightly.run_night(runtime, trigger="schedule").outcome == "success"
    clock.now = datetime(2027, 3, 28, 9, 0, tzinfo=UTC)
    assert nightly.run_night(runtime, trigger="schedule").outcome == "skipped"
    [run] = runs_of(team)
    assert run.scheduled_for == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def _drop_table(database: Database, name: str) -> None:
    with database.engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {name}"))


def _restore_table(database: Database, name: str) -> None:
    Base.metadata.tables[name].create(database.engine, checkfirst=True)


def test_a_failed_run_keeps_the_plan_records_alerts_and_the_next_run_retries(
    team: Database, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = webhook
    settings = nightly_settings(alert_webhooks=(url,))
    commit_plan(team, settings, NOW - timedelta(days=1))
    received.clear()
    plan_before = plan_rows(team)
    clock = Clock(NOW)
    runtime = runtime_for(team, settings, clock)
    _drop_table(team, "worker_windows")  # bad data: the team cannot be loaded
    try:
        result = nightly.run_night(runtime, trigger="schedule")
    finally:
        _restore_table(team, "worker_windows")

    assert result.outcome == "failed"
    assert plan_rows(team) == plan_before, "the current plan is untouched"
    [run] = runs_of(team)
    assert run.outcome == "failed" and run.finished_at is not None
    assert run.error is not None and "worker_windows" in run.error
    assert run.plan_version_id is None
    identity = "NIGHTLY_FAILED||2026-11-27"
    with team.reading() as session:
        alert = session.get(Alert, alert_id(identity))
    assert alert is not None
    assert (alert.kind, alert.severity, alert.status, alert.identity) == (
        "NIGHTLY_FAILED",
        "high",
        "open",
        identity,
    )
    assert alert.delivered_at is not None, "delivered to the manager"
    [posted] = [a for payload in received for a in payload["alerts"]]
    assert posted["kind"] == "NIGHTLY_FAILED" and posted["severity"] == "high"
    assert "worker_windows" in posted["message"]

    # The next run tries again; its commit resolves the failure alert.
    clock.now = NOW + timedelta(days=1)
    assert nightly.run_night(runtime, trigger="schedule").outcome == "success"
    with team.reading() as session:
        alert = session.get(Alert, alert_id(identity))
    assert alert is not None and alert.status == "resolved"
    assert [r.outcome for r in runs_of(team)] == ["failed", "success"]


def test_a_run_told_to_stop_inside_its_commit_rolls_back(team: Database) -> None:
    settings = nightly_settings()
    commit_plan(team, settings, NOW - timedelta(days=1))
    plan_before = plan_rows(team)
    runtime = runtime_for(team, settings, Clock(NOW))

    def stop_while_committing(session: Any, at: datetime) -> None:
        feeds_hook(settings)(session, at)
        session.flush()
        runtime.stop.set()  # SIGTERM arrives while the transaction is open

    runtime.after_commit = stop_while_committing
    result = nightly.run_night(runtime, trigger="schedule")

    assert result.outcome == "abandoned"
    assert plan_rows(team) == plan_before
    [run] = runs_of(team)
    assert run.outcome == "failed" and run.error == "abandoned: the service was stopping"
    with team.reading() as session:
        assert session.scalar(select(Alert).where(Alert.kind == "NIGHTLY_FAILED")) is None
    assert lease.current_holder(team, nightly.LEASE_NAME, now=NOW) is None


def test_runs_left_running_by_a_dead_process_are_recorded_as_abandoned(team: Database) -> None:
    with team.transaction() as session:
        session.add(
            NightlyRun(
                scheduled_for=SLOT,
                started_at=NOW - timedelta(hours=1),
                outcome="running",
                trigger="schedule",
                host="elsewhere.example",
                pid=4242,
            )
        )
    result = nightly.run_night(
        runtime_for(team, nightly_settings(), Clock(NOW)), trigger="startup", slot=SLOT
    )
    assert result.outcome == "success"
    orphan, done = runs_of(team)
    assert orphan.outcome == "failed" and orphan.finished_at is not None
    assert orphan.error is not None and orphan.error.startswith("abandoned:")
    assert "elsewhere.example pid 4242" in orphan.error
    assert (done.trigger, done.outcome, done.scheduled_for) == ("startup", "success", SLOT)


def test_while_another_process_runs_run_now_is_skipped_and_a_scheduled_run_waits(
    team: Database,
) -> None:
    settings = nightly_settings()
    other = "elsewhere.example:1:x"
    assert lease.acquire(team, nightly.LEASE_NAME, other, now=NOW)
    runtime = runtime_for(team, settings, Clock(NOW))
    skipped = nightly.run_night(runtime, trigger="run-now")
    assert skipped.outcome == "skipped" and "another process" in skipped.detail

    def other_process_finishes() -> None:
        threading.Event().wait(0.3)
        with team.transaction() as session:
            session.add(
                NightlyRun(
                    scheduled_for=SLOT,
                    started_at=NOW,
                    finished_at=NOW,
                    outcome="success",
                    trigger="schedule",
                    host="elsewhere.example",
                    pid=1,
                )
            )
        lease.release(team, nightly.LEASE_NAME, other)

    finisher = threading.Thread(target=other_process_finishes)
    finisher.start()
    waited = nightly.run_night(runtime, trigger="schedule")
    finisher.join()
    assert waited.outcome == "skipped" and "already succeeded" in waited.detail
    assert [r.host for r in runs_of(team)] == ["elsewhere.example"]


def test_a_scheduled_run_gives_up_when_the_lease_stays_taken(team: Database) -> None:
    assert lease.acquire(team, nightly.LEASE_NAME, "elsewhere.example:1:x", now=NOW)
    runtime = runtime_for(team, nightly_settings(), Clock(NOW), lease_wait=timedelta(seconds=0.2))
    result = nightly.run_night(runtime, trigger="schedule")
    assert result.outcome == "skipped" and "another process" in result.detail
    assert runs_of(team) == []


def test_the_job_with_the_database_gone_logs_and_returns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    gone = Database(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    nightly.install(nightly.NightlyRuntime(gone, nightly_settings(), clock=Clock(NOW)))
    try:
        with caplog.at_level(logging.ERROR, logger="keyworker.nightly"):
            nightly.nightly_job()  # must not raise into the scheduler
    finally:
        nightly.install(None)
        gone.dispose()
    assert "nightly run could not be carried out" in caplog.text


def test_the_job_without_a_runtime_does_nothing(caplog: pytest.LogCaptureFixture) -> None:
    nightly.install(None)
    with caplog.at_level(logging.ERROR, logger="keyworker.nightly"):
        nightly.nightly_job()
    assert "has not installed its runtime" in caplog.text


def test_failure_alert_for_the_same_night_is_one_alert(team: Database) -> None:
    settings = nightly_settings()
    first = nightly.raise_failure_alert(
        team, settings, night=date(2026, 11, 27), error="boom", now=NOW
    )
    second = nightly.raise_failure_alert(
        team, settings, night=date(2026, 11, 27), error="boom again", now=NOW
    )
    assert first == second == alert_id("NIGHTLY_FAILED||2026-11-27")
    with team.reading() as session:
        [alert] = session.scalars(select(Alert)).all()
        version = session.scalar(select(PlanVersion.id))
    assert "boom again" in alert.message and "no plan yet" in alert.message
    assert version is None
    with team.reading() as session:
        assert session.scalar(select(func.count()).select_from(PlanSession)) == 0


def test_a_run_abandoned_at_shutdown_is_recorded_as_what_it_was(team: Database) -> None:
    settings = nightly_settings()
    runtime = runtime_for(team, settings, Clock(NOW))
    reason = "abandoned: the service was stopped before the run committed"

    # Cut short before its commit: failed, lease freed.
    holder = lease.new_holder()
    assert lease.acquire(team, nightly.LEASE_NAME, holder, now=NOW)
    cut = nightly.start_record(team, trigger="run-now", slot=None, now=NOW)
    runtime.current = nightly.InProgress(cut, holder, NOW, 0)
    nightly.abandon_in_progress(runtime, reason)
    assert lease.current_holder(team, nightly.LEASE_NAME, now=NOW) is None

    # Stopped after its commit, while delivering alerts: the plan is in, say so.
    later = NOW + timedelta(hours=1)
    outcome = replan.run(
        team,
        settings,
        PlanRequest(now=later, start=later.date(), weeks=1),
        actor=nightly.ACTOR,
        do_commit=True,
    )
    assert outcome.committed is not None
    delivering = nightly.start_record(team, trigger="run-now", slot=None, now=later)
    runtime.current = nightly.InProgress(delivering, holder, later, 0)
    nightly.abandon_in_progress(runtime, reason)

    first, second = runs_of(team)
    assert (first.outcome, first.error, first.plan_version_id) == ("failed", reason, None)
    assert (second.outcome, second.plan_version_id) == ("success", outcome.committed.version)
    assert second.error is not None and "while delivering alerts" in second.error

"""The scheduler in the product database, start-up catch-up, /healthz and ``keyworker runs``."""

from __future__ import annotations

import pickle
import pickletools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from calendars import create_app, serving
from scheduler import nightly, service
from scheduler.db import Database
from scheduler.models import NightlyRun
from scheduler.service import GRACE, NightlyService, build_scheduler, catch_up_slot
from tests.factories import NOW
from tests.nightly.nightly_support import (
    LONDON,
    feeds_hook,
    load_team,
    nightly_settings,
    runs_of,
    wait_for,
)

SLOT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def stored_jobs(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT id FROM apscheduler_jobs"))]


def add_run(database: Database, *, outcome: str, started: datetime, **fields: object) -> None:
    values: dict[str, object] = {
        "scheduled_for": SLOT,
        "started_at": started,
        "finished_at": None if outcome == "running" else started + timedelta(seconds=30),
        "outcome": outcome,
        "trigger": "schedule",
        "host": "h",
        "pid": 1,
    }
    values.update(fields)
    with database.transaction() as session:
        session.add(NightlyRun(**values))


def test_restarts_keep_exactly_one_stored_job_with_its_options_set_on_purpose(
    database: Database,
) -> None:
    settings = nightly_settings(nightly_time=time(1, 30))
    for _ in range(3):  # three starts of the service
        scheduler = build_scheduler(database, settings)
        scheduler.start(paused=True)
        job = scheduler.get_job(nightly.JOB_ID)
        service.shutdown_scheduler(scheduler)
    assert stored_jobs(database) == [nightly.JOB_ID]
    assert job.func is nightly.nightly_job
    assert (job.coalesce, job.max_instances) == (True, 1)
    assert job.misfire_grace_time == GRACE.total_seconds() == 6 * 3600
    assert isinstance(job.trigger, nightly.NightlyTrigger)
    assert job.trigger.timezone == LONDON and job.trigger.at == time(1, 30)


def test_the_stored_job_names_its_function_and_trigger_by_their_package(
    database: Database,
) -> None:
    # Every version sharing the database loads the stored job: the modules of the
    # scheduler.nightly package are not named in it (they may move), the package is.
    scheduler = build_scheduler(database, nightly_settings())
    scheduler.start(paused=True)
    service.shutdown_scheduler(scheduler)
    with database.engine.connect() as connection:
        stored = connection.execute(text("SELECT job_state FROM apscheduler_jobs")).scalar_one()
    state = pickle.loads(stored)
    assert state["func"] == "scheduler.nightly:nightly_job"
    assert type(state["trigger"]) is nightly.NightlyTrigger
    names = {arg for _, arg, _ in pickletools.genops(stored) if isinstance(arg, str)}
    assert "scheduler.nightly" in names
    assert not [n for n in names if n.startswith("scheduler.nightly.")]


def test_disabling_the_nightly_run_removes_the_stored_job(database: Database) -> None:
    scheduler = build_scheduler(database, nightly_settings())
    scheduler.start(paused=True)
    service.shutdown_scheduler(scheduler)
    off = NightlyService(database, nightly_settings(nightly_enabled=False))
    off.start()
    try:
        assert stored_jobs(database) == []
    finally:
        assert off.stop()


def test_catch_up_runs_a_missed_night_once_within_the_grace(database: Database) -> None:
    settings = nightly_settings()
    assert catch_up_slot(database, settings, SLOT + timedelta(hours=1)) == SLOT
    assert catch_up_slot(database, settings, SLOT + GRACE) == SLOT
    assert catch_up_slot(database, settings, SLOT + GRACE + timedelta(minutes=1)) is None
    add_run(database, outcome="failed", started=SLOT)
    assert catch_up_slot(database, settings, SLOT + timedelta(hours=1)) == SLOT  # retried
    add_run(database, outcome="success", started=SLOT + timedelta(minutes=5))
    assert catch_up_slot(database, settings, SLOT + timedelta(hours=1)) is None
    off = nightly_settings(nightly_enabled=False)
    assert catch_up_slot(database, off, SLOT + timedelta(hours=25)) is None


def test_down_for_three_nights_catches_up_only_the_last_one(database: Database) -> None:
    # Coalesce: whatever was missed, one run, and only for the most recent night.
    settings = nightly_settings()
    now = SLOT + timedelta(days=3, hours=2)
    assert catch_up_slot(database, settings, now) == SLOT + timedelta(days=3)


@pytest.fixture
def team(database: Database, tmp_path: Path) -> Database:
    load_team(database, tmp_path / "team")
    return database


@pytest.fixture
def running_service(team: Database) -> Iterator[NightlyService]:
    # The last scheduled time was 12 hours ago, past the grace: no catch-up at start.
    at = (datetime.now(UTC) - timedelta(hours=12)).astimezone(LONDON)
    settings = nightly_settings(nightly_time=time(at.hour, at.minute))
    svc = NightlyService(team, settings, after_commit=feeds_hook(settings))
    assert svc.start() is None
    try:
        yield svc
    finally:
        assert svc.stop(timeout=10)


def test_the_stored_job_fires_and_records_a_scheduled_run(running_service: NightlyService) -> None:
    scheduler = running_service.scheduler
    assert scheduler is not None
    scheduler.modify_job(nightly.JOB_ID, next_run_time=datetime.now(UTC) + timedelta(seconds=0.3))
    run = wait_for(
        "the scheduled run",
        lambda: [r for r in runs_of(running_service.database) if r.outcome == "success"],
    )[0]
    assert run.trigger == "schedule"
    assert run.scheduled_for == nightly.last_slot(running_service.settings, run.started_at)
    ok, details = running_service.health()
    assert ok and details["nightly"]["state"] == "success"


def test_a_late_fire_runs_within_the_grace_and_not_at_all_beyond_it(
    running_service: NightlyService, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler = running_service.scheduler
    assert scheduler is not None
    now = datetime.now(UTC)
    # The process was stalled for 7 hours (a suspended VM): too late, dropped.
    scheduler.modify_job(nightly.JOB_ID, next_run_time=now - timedelta(hours=7))
    wait_for(
        "the job to be moved on",
        lambda: scheduler.get_job(nightly.JOB_ID).next_run_time > datetime.now(UTC),
    )
    assert runs_of(running_service.database) == []
    assert "was missed by 7:00:00" in caplog.text
    # An hour late: within the grace, it runs, once.
    scheduler.modify_job(nightly.JOB_ID, next_run_time=now - timedelta(hours=1))
    database = running_service.database
    wait_for("the late run", lambda: [r for r in runs_of(database) if r.finished_at])
    threading.Event().wait(0.5)
    assert [r.trigger for r in runs_of(database)] == ["schedule"]


def test_run_now_runs_at_once(running_service: NightlyService) -> None:
    running_service.run_once("run-now")
    run = wait_for(
        "the run-now run",
        lambda: [r for r in runs_of(running_service.database) if r.outcome == "success"],
    )[0]
    assert (run.trigger, run.scheduled_for) == ("run-now", None)


# --- /healthz ---------------------------------------------------------------------------


def health_at(database: Database, now: datetime, started: datetime | None = None) -> tuple:
    return service.health_report(
        database, nightly_settings(), now=now, started_at=started or now - timedelta(days=3)
    )


def test_health_is_ok_when_last_night_succeeded(database: Database) -> None:
    add_run(database, outcome="success", started=SLOT, plan_version_id=None, changes=3, alerts=1)
    ok, details = health_at(database, NOW)
    assert ok
    assert details["nightly"]["state"] == "success"
    assert details["nightly"]["last_scheduled"] == "2026-11-27T02:00:00+00:00"
    assert details["last_success"]["changes"] == 3
    assert details["last_success"]["started_at"].startswith("2026-11-27T02:00")


def test_health_fails_when_last_night_failed(database: Database) -> None:
    add_run(
        database,
        outcome="success",
        started=SLOT - timedelta(days=1),
        scheduled_for=SLOT - timedelta(days=1),
    )
    add_run(database, outcome="failed", started=SLOT, error="the solver could not make a plan")
    ok, details = health_at(database, NOW)
    assert not ok
    assert details["nightly"]["state"] == "failed"
    assert "the solver could not make a plan" in details["reason"]
    assert details["last_success"]["scheduled_for"].startswith("2026-11-26")


def test_health_fails_when_last_night_did_not_happen(database: Database) -> None:
    add_run(
        database,
        outcome="success",
        started=SLOT - timedelta(days=1),
        scheduled_for=SLOT - timedelta(days=1),
    )
    ok, details = health_at(database, NOW)
    assert not ok and details["nightly"]["state"] == "missed"
    assert "did not happen" in details["reason"]


def test_health_is_ok_while_the_run_is_due_or_running(database: Database) -> None:
    assert health_at(database, SLOT + timedelta(minutes=2))[1]["nightly"]["state"] == "pending"
    add_run(database, outcome="running", started=SLOT)
    ok, details = health_at(database, SLOT + timedelta(minutes=20))
    assert ok and details["nightly"]["state"] == "running"
    ok, details = health_at(database, SLOT + timedelta(hours=3))  # stuck: it died
    assert not ok and details["nightly"]["state"] == "failed"


def test_health_is_ok_on_a_new_installation_before_its_first_night(database: Database) -> None:
    ok, details = health_at(database, NOW, started=NOW - timedelta(hours=1))
    assert ok and details["nightly"]["state"] == "waiting"


def test_a_successful_run_now_after_a_failed_night_makes_it_healthy(database: Database) -> None:
    add_run(database, outcome="failed", started=SLOT, error="boom")
    add_run(
        database,
        outcome="success",
        started=SLOT + timedelta(hours=7),
        scheduled_for=None,
        trigger="run-now",
    )
    assert health_at(database, NOW)[0]


def test_health_with_the_nightly_run_disabled_is_ok(database: Database) -> None:
    ok, details = service.health_report(
        database, nightly_settings(nightly_enabled=False), now=NOW, started_at=NOW
    )
    assert ok and details["nightly"]["state"] == "disabled"


def test_health_fails_when_the_database_is_gone(tmp_path: Path) -> None:
    gone = Database(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    try:
        assert health_at(gone, NOW) == (False, {"database": "unreachable"})
    finally:
        gone.dispose()


def test_healthz_over_http_says_503_and_why(database: Database) -> None:
    add_run(database, outcome="failed", started=SLOT, error="database gone")
    svc = NightlyService(database, nightly_settings(), clock=lambda: NOW)
    svc.started_at = NOW - timedelta(days=2)
    with serving(create_app(database, health=svc.health)) as url:
        response = httpx.get(f"{url}/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing" and body["nightly"]["state"] == "failed"
    assert "database gone" in body["reason"]
    assert response.headers["cache-control"] == "no-store"


# --- keyworker runs ---------------------------------------------------------------------


def test_runs_lists_the_runs_newest_first(db_url: str, database: Database) -> None:
    from cli import serve_cmd
    from cli.main import app

    if not any(c.name == "runs" for c in app.registered_commands):
        serve_cmd.register(app)
    runner = CliRunner()
    result = runner.invoke(app, ["--db", db_url, "runs"])
    assert result.exit_code == 0, result.output
    assert "no nightly runs yet" in result.output
    add_run(database, outcome="failed", started=SLOT, error="the solver could not\nmake a plan")
    add_run(
        database,
        outcome="success",
        started=SLOT + timedelta(days=1),
        scheduled_for=SLOT + timedelta(days=1),
        changes=4,
        alerts=2,
    )
    result = runner.invoke(app, ["--db", db_url, "runs"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "id", "night", "trigger", "started", "took", "outcome", "version", "changes", "alerts",
        "process", "error",
    ]  # fmt: skip
    assert lines[2].split()[:9] == [
        "2",
        "2026-11-28",
        "schedule",
        "2026-11-28",
        "02:00:00",
        "30",
        "s",
        "success",
        "-",
    ]
    assert "the solver could not make a plan" in lines[3]
    assert lines[3].split()[1] == "2026-11-27"
    one = runner.invoke(app, ["--db", db_url, "runs", "--limit", "1"])
    assert len(one.output.splitlines()) == 3
    with database.reading() as session:
        assert len(session.scalars(select(NightlyRun)).all()) == 2

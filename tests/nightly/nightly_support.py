"""Builders and helpers for the nightly tests: a tiny team, settings, real processes.

``start_serve(...)`` runs ``keyworker serve`` as a real child process (through
``serve_proc.py``) with its own config file, log file and a free port; ``wait_for``
polls; ``runs_of`` and ``current_version`` read what the processes wrote.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select

from calendars import refresh_feeds
from scheduler import replan
from scheduler.db import Database
from scheduler.models import NightlyRun, PlanVersion
from scheduler.pipeline import PlanRequest
from scheduler.settings import Settings
from tests.factories import NOW, run_import, small_team

LONDON = ZoneInfo("Europe/London")
SERVE_PROC = Path(__file__).with_name("serve_proc.py")
T = TypeVar("T")


def nightly_settings(**overrides: Any) -> Settings:
    """Small and fast: a one-week horizon, a one-second solver, no worker emails."""
    values: dict[str, Any] = {
        "time_limit_seconds": 1.0,
        "horizon_weeks": 1,
        "notify_workers": False,
    }
    values.update(overrides)
    return Settings(**values)


def load_team(database: Database, directory: Path) -> None:
    run_import(database, small_team(directory))


def commit_plan(database: Database, settings: Settings, now: datetime = NOW) -> int:
    """Commit a plan as ``plan --commit`` would; returns its version."""
    outcome = replan.run(
        database,
        settings,
        PlanRequest(now=now, start=now.astimezone(LONDON).date(), weeks=settings.horizon_weeks),
        actor="tester",
        do_commit=True,
    )
    assert outcome.committed is not None
    return outcome.committed.version


def feeds_hook(settings: Settings) -> Callable[[Any, datetime], None]:
    def refresh(session: Any, now: datetime) -> None:
        refresh_feeds(session, now=now, settings=settings)

    return refresh


def current_version(database: Database) -> PlanVersion | None:
    with database.reading() as session:
        return session.scalar(select(PlanVersion).where(PlanVersion.is_current.is_(True)))


def runs_of(database: Database) -> list[NightlyRun]:
    with database.reading() as session:
        return list(session.scalars(select(NightlyRun).order_by(NightlyRun.id)))


def wait_for(
    what: str,
    check: Callable[[], T | None],
    timeout: float = 30.0,
    procs: Sequence[ServeProcess] = (),
) -> T:
    """Poll ``check`` until it gives something; fail early if one of ``procs`` died."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        for proc in procs:
            if proc.process.poll() is not None:
                raise AssertionError(
                    f"{proc.log.stem} exited ({proc.process.returncode}) while waiting for "
                    f"{what}:\n{proc.output()}"
                )
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.log.stem}:\n{p.output()}" for p in procs)
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{logs}")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def minutes_ago_hhmm(minutes: int) -> str:
    """A nightly time whose last occurrence was ``minutes`` ago, London wall clock."""
    return (datetime.now(UTC) - timedelta(minutes=minutes)).astimezone(LONDON).strftime("%H:%M")


def write_config(path: Path, *, nightly_time: str, webhook: str | None = None) -> Path:
    lines = [
        "[planning]",
        "time_limit_seconds = 1",
        "horizon_weeks = 1",
        "[nightly]",
        f'time = "{nightly_time}"',
        "[alerts]",
        "notify_workers = false",
    ]
    if webhook:
        lines.append(f'webhooks = ["{webhook}"]')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class ServeProcess:
    """One ``keyworker serve`` child process and where it logs."""

    process: subprocess.Popen[bytes]
    log: Path
    port: int
    pause_marker: Path | None = None
    _handle: Any = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def paused(self) -> bool:
        return self.pause_marker is not None and self.pause_marker.exists()

    def terminate(self) -> float:
        """SIGTERM; returns the seconds it took to exit."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"serve did not exit after SIGTERM:\n{self.output()}") from exc
        return time.monotonic() - started

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def close(self) -> None:
        self.kill()
        if self._handle is not None:
            self._handle.close()


def start_serve(
    db_url: str,
    config: Path,
    workdir: Path,
    *,
    name: str,
    run_now: bool = False,
    pause_seconds: float | None = None,
    pause_at: str = "commit",
    port: int | None = None,
) -> ServeProcess:
    """Start ``keyworker serve`` in a real process; ``pause_seconds`` holds each run inside
    its commit transaction that long (see ``serve_proc.py``)."""
    port = port or free_port()
    log = workdir / f"{name}.log"
    env = dict(os.environ)
    marker = None
    if pause_seconds is not None:
        marker = workdir / f"{name}.paused"
        env["KW_TEST_PAUSE_IN_COMMIT"] = str(marker)
        env["KW_TEST_PAUSE_SECONDS"] = str(pause_seconds)
        env["KW_TEST_PAUSE_AT"] = pause_at
    command = [
        sys.executable,
        str(SERVE_PROC),
        "--db",
        db_url,
        "--config",
        str(config),
        "serve",
        "--port",
        str(port),
    ]
    if run_now:
        command.append("--run-now")
    handle = log.open("wb")
    process = subprocess.Popen(
        command, stdout=handle, stderr=subprocess.STDOUT, cwd=workdir, env=env
    )
    return ServeProcess(process, log, port, marker, handle)


@contextmanager
def serving_processes() -> Iterator[list[ServeProcess]]:
    """Collects started processes and kills whatever is left at the end."""
    started: list[ServeProcess] = []
    try:
        yield started
    finally:
        for proc in started:
            proc.close()

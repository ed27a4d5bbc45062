"""What a run needs and a pickled job cannot carry, installed by the service."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from scheduler import lease
from scheduler.db import Database
from scheduler.pipeline import AfterCommit
from scheduler.settings import Settings

Clock = Callable[[], datetime]

# How long a scheduled or catch-up run waits for a run in another process to finish
# before giving up on this night (it then finds that run's success and skips).
LEASE_WAIT = timedelta(minutes=30)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class InProgress:
    """The run this process is carrying out, for recording it if the process must quit."""

    run_id: int
    holder: str  # of the lease
    now: datetime  # the run's PlanRequest.now
    before: int  # the newest plan version when it started


@dataclass
class NightlyRuntime:
    """What the job needs and a pickled job cannot carry; installed by the service."""

    database: Database
    settings: Settings
    clock: Clock = utc_now
    after_commit: AfterCommit | None = None
    lease_wait: timedelta = LEASE_WAIT
    lease_poll_seconds: float = 2.0
    lease_ttl: timedelta = lease.DEFAULT_TTL
    heartbeat: timedelta = lease.HEARTBEAT
    stop: threading.Event = field(default_factory=threading.Event)
    idle: threading.Event = field(default_factory=threading.Event)
    current: InProgress | None = None

    def __post_init__(self) -> None:
        self.idle.set()
        self._busy = threading.Lock()
